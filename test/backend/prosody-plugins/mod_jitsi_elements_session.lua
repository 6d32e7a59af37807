-- mod_jitsi_elements_session: the room a session was opened for (protocol.md 2.1, 13.0).
--
-- Part of jitsi-elements' local test backend. It STANDS IN for the session module of a real Jitsi
-- deployment's Prosody, written for this project from the behaviour clients see: the jitsi-meet app puts
-- `room=<name>` (and, on tenant deployments, `prefix=<tenant>`) in the query of the websocket or BOSH URL,
-- and the meeting-feature modules (breakout rooms, …) act only for the room of the sender's session. The
-- values are kept on the session as `jitsi_web_query_room` / `jitsi_web_query_prefix`, the names the Jitsi
-- modules read; a session opened without `room=` has none and those modules ignore it.

local http_util = require "util.http";

local function note_room(event)
	local session, request = event.session, event.request;
	local query = session and request and request.url and request.url.query;
	if type(query) ~= "string" or not query:find("=", 1, true) then return; end
	local form = http_util.formdecode(query);
	if type(form) ~= "table" then return; end
	if type(form.room) == "string" and form.room ~= "" then
		session.jitsi_web_query_room = form.room:lower();
	end
	if type(form.prefix) == "string" and form.prefix ~= "" then
		session.jitsi_web_query_prefix = form.prefix:lower();
	end
end

-- mod_websocket and mod_bosh fire these on the global event bus (as mod_auth_jitsi_elements_anonymous notes).
for _, event_name in ipairs({ "websocket-session", "bosh-session" }) do
	module:hook_global(event_name, note_room);
end
