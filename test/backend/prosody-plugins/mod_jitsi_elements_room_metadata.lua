-- mod_jitsi_elements_room_metadata: the room-metadata component (protocol.md 2.6, 4.13, 4.17, 13.8).
--
-- Part of jitsi-elements' local test backend. It STANDS IN for the room-metadata component of a real Jitsi
-- deployment's Prosody, written for this project from the wire protocol clients see. Loaded as the component
-- `metadata.<domain>`; it watches the MUC named by `muc_component`.
--
-- * Keeps one metadata map per room.
-- * Sends the full map to each joiner just BEFORE its self-presence (muc-occupant-pre-join). That first push
--   adds `services`, the TURN/STUN list of mod_external_services with its time-limited credentials: a client
--   that sees this component announced takes its ICE servers from here and skips XEP-0215 (protocol.md 2.3).
-- * Takes `<room_metadata room=…>{"key":…,"data":…}</room_metadata>` from moderators of that room; refuses
--   silently non-moderators, missing key/data, `data:null` and the server-only keys; broadcasts the full map
--   to every occupant when it changed (deep compare).
-- * Copies a moderator's legacy `<startmuted audio= video=>` presence into `startMuted`.

local json = require "util.json";
local st = require "util.stanza";
local jid_bare = require "util.jid".bare;
local modulemanager = require "core.modulemanager";

local NS_JITMEET = "http://jitsi.org/jitmeet";
local NS_START_MUTED = "http://jitsi.org/jitmeet/start-muted";

local muc_domain = module:get_option_string("muc_component");
local main_domain = module:get_option_string("main_domain");

local BLOCKED = {
	allownersEnabled = true, asyncTranscription = true, conferencePresetsServiceEnabled = true,
	dialinEnabled = true, moderators = true, participants = true, participantsSoftLimit = true,
	services = true, transcriberType = true, transcription = true, visitorsEnabled = true,
};

local function deep_equal(a, b)
	if type(a) ~= type(b) then return false; end
	if type(a) ~= "table" then return a == b; end
	for k, v in pairs(a) do
		if not deep_equal(v, b[k]) then return false; end
	end
	for k in pairs(b) do
		if a[k] == nil then return false; end
	end
	return true;
end

local function metadata_of(room)
	room._data.jitsi_elements_metadata = room._data.jitsi_elements_metadata or {};
	return room._data.jitsi_elements_metadata;
end

-- mod_external_services' list, with the credentials it computes per request (username = expiry,
-- password = base64(HMAC-SHA1(secret, username))).
local function services()
	local ext = main_domain and modulemanager.get_module(main_domain, "external_services");
	if not ext or not ext.get_services then return {}; end
	local out = {};
	for _, srv in ipairs(ext.get_services()) do
		table.insert(out, {
			type = srv.type, transport = srv.transport, host = srv.host, port = srv.port,
			username = srv.username, password = srv.password, expires = srv.expires,
			restricted = srv.restricted or false,
		});
	end
	return out;
end

local function message_for(room, to, metadata)
	local payload = json.encode({ type = "room_metadata", metadata = metadata });
	return st.message({ from = module.host, to = to })
		:tag("json-message", { xmlns = NS_JITMEET, room = room.jid }):text(payload):up();
end

local function broadcast(room)
	local metadata = metadata_of(room);
	for _, occupant in room:each_occupant() do
		for real_jid in occupant:each_session() do
			module:send(message_for(room, real_jid, metadata));
		end
	end
end

local function set_key(room, key, data)
	local metadata = metadata_of(room);
	if deep_equal(metadata[key], data) then return; end
	metadata[key] = data;
	broadcast(room);
end

local function get_room(room_jid)
	local muc = prosody.hosts[muc_domain] and prosody.hosts[muc_domain].modules.muc;
	return muc and muc.get_room_from_jid(jid_bare(room_jid));
end

module:hook("message/host", function(event)
	local stanza = event.stanza;
	local element = stanza:get_child("room_metadata", NS_JITMEET);
	if not element then return; end
	-- A stand-in refusal is silent, as the real component's (protocol.md 13.8 (e)).
	local room = element.attr.room and get_room(element.attr.room);
	if not room then return true; end
	local occupant = room:get_occupant_by_real_jid(stanza.attr.from);
	if not occupant or occupant.role ~= "moderator" then
		module:log("debug", "metadata from %s refused: not a moderator of %s", stanza.attr.from, room.jid);
		return true;
	end
	local ok, request = pcall(json.decode, element:get_text() or "");
	if not ok or type(request) ~= "table" then return true; end
	local key, data = request.key, request.data;
	if type(key) ~= "string" or key == "" or BLOCKED[key] or data == nil or data == json.null then return true; end
	set_key(room, key, data);
	return true;
end);

local function on_pre_join(event)
	local to = event.stanza.attr.from;
	local metadata = {};
	for k, v in pairs(metadata_of(event.room)) do metadata[k] = v; end
	metadata.services = services();
	module:send(message_for(event.room, to, metadata));
end

local function on_presence(event)
	local occupant, room = event.occupant, event.room;
	if not occupant or occupant.role ~= "moderator" then return; end
	local start_muted = event.stanza and event.stanza:get_child("startmuted", NS_START_MUTED);
	if not start_muted then return; end
	set_key(room, "startMuted", { audio = start_muted.attr.audio == "true", video = start_muted.attr.video == "true" });
end

local attached = false;
local function attach(host)
	if attached or host ~= muc_domain then return; end
	attached = true;
	local muc_module = module:context(muc_domain);
	muc_module:hook("muc-occupant-pre-join", on_pre_join);
	muc_module:hook("muc-broadcast-presence", on_presence);
end

if prosody.hosts[muc_domain] then attach(muc_domain); end
module:hook_global("host-activated", attach);
