-- mod_auth_jitsi_elements_anonymous: SASL ANONYMOUS that lets an anonymous session resume (XEP-0198).
--
-- Part of jitsi-elements' local test backend (test/backend/prosody.ts loads it with plugin_paths). It
-- STANDS IN for the anonymous auth plugin of a real Jitsi deployment's Prosody, and was written for this
-- project from the behaviour described below, not copied from anywhere.
--
-- Why: Prosody 0.12's mod_smacks files a hibernated session under jid.join(username, host, token). An
-- anonymous client that reconnects authenticates again, gets a NEW random username, and so its
-- <resume previd='token'/> always fails with item-not-found.
--
-- What: the client adds `previd=<its stream management id>` to the query of the websocket or BOSH URL it
-- reconnects with. We note that value on the new session (the "websocket-session" and "bosh-session"
-- events carry the HTTP request), and when SASL ANONYMOUS then succeeds on that session, we look for a
-- session of this host (hibernating or still live) whose resumption_token equals previd; if there is
-- one, the new session authenticates as THAT session's username instead of a random one, so mod_smacks
-- finds the hibernated session and <resume/> succeeds. Without previd, or with an unknown one, it is plain
-- SASL ANONYMOUS, exactly like Prosody's mod_auth_anonymous.
--
-- Like the deployment plugin it stands in for, knowing a session's resumption token is enough to take it
-- over; that token is only ever sent to the session's own client.

local new_sasl = require "util.sasl".new;
local http_util = require "util.http";
local datamanager = require "util.datamanager";

local host = module.host;
local hosts = prosody.hosts;
local allow_storage = module:get_option_boolean("allow_anonymous_storage", false);

local PREVID_FIELD = "jitsi_elements_previd";

-- The `previd` query parameter of an HTTP request, or nil.
local function previd_of(request)
	local url = request and request.url;
	local query = url and url.query;
	if type(query) ~= "string" or query == "" or not query:find("=", 1, true) then return nil; end
	local form = http_util.formdecode(query);
	local previd = type(form) == "table" and form.previd or nil;
	if type(previd) ~= "string" or previd == "" then return nil; end
	return previd;
end

local function note_previd(event)
	local session, request = event.session, event.request;
	if not session then return; end
	local previd = previd_of(request);
	if previd then
		session[PREVID_FIELD] = previd;
		module:log("debug", "Session %s asks to resume %s", tostring(session.id or session), previd);
	end
end

-- mod_websocket and mod_bosh are global modules: they fire these events on the global event bus.
-- Listen there, and on this host in case a version fires them per host.
for _, event_name in ipairs({ "websocket-session", "bosh-session" }) do
	module:hook_global(event_name, note_previd);
	module:hook(event_name, note_previd);
end

-- The username of the session of this host whose stream management resumption token is `token`.
local function username_for_token(token)
	local host_session = hosts[host];
	if not host_session or not host_session.sessions then return nil; end
	for username, user in pairs(host_session.sessions) do
		for _, session in pairs(user.sessions or {}) do
			if session.resumption_token == token then
				return username;
			end
		end
	end
	return nil;
end

-- Wraps a SASL handler so that a successful ANONYMOUS exchange keeps the username that owns `previd`.
local function wrap(handler, session)
	local process = handler.process;
	local clean_clone = handler.clean_clone;
	function handler:process(message)
		local status, ret, err = process(self, message);
		if status == "success" and self.selected == "ANONYMOUS" then
			local previd = session[PREVID_FIELD];
			local username = previd and username_for_token(previd);
			if username then
				module:log("debug", "Anonymous login keeps username %s to resume %s", username, previd);
				self.username = username;
			end
		end
		return status, ret, err;
	end
	-- mod_saslauth replaces a failed handler with a clean clone; keep the wrapper on it.
	function handler:clean_clone()
		return wrap(clean_clone(self), session);
	end
	return handler;
end

-- The auth provider: mod_auth_anonymous' behaviour, with the SASL handler wrapped.
local provider = {};

function provider.test_password(username, password) -- luacheck: ignore 212
	return nil, "Password based auth not supported.";
end

function provider.get_password(username) -- luacheck: ignore 212
	return nil, "Password not available.";
end

function provider.set_password(username, password) -- luacheck: ignore 212
	return nil, "Password based auth not supported.";
end

function provider.user_exists(username) -- luacheck: ignore 212
	return nil, "Only anonymous users are supported.";
end

function provider.create_user(username, password) -- luacheck: ignore 212
	return nil, "Account creation/modification not supported.";
end

function provider.users()
	return next, hosts[host].sessions, nil;
end

function provider.get_sasl_handler(session)
	local handler = new_sasl(host, {
		anonymous = function(sasl, username, realm) -- luacheck: ignore 212
			return true;
		end;
	});
	if not session then return handler; end
	return wrap(handler, session);
end

-- Anonymous users leave nothing on disk (as with mod_auth_anonymous, unless allow_anonymous_storage).
local function refuse_storage(username, store_host, datastore, data)
	if store_host == host then return false; end
	return username, store_host, datastore, data;
end

-- No s2s for anonymous users (as with mod_auth_anonymous, unless allow_anonymous_s2s).
if not module:get_option_boolean("allow_anonymous_s2s", false) then
	module:hook("route/remote", function()
		return false;
	end, 300);
end

function module.load()
	if not allow_storage then datamanager.add_callback(refuse_storage); end
end

function module.unload()
	if not allow_storage then datamanager.remove_callback(refuse_storage); end
end

module:provides("auth", provider);
