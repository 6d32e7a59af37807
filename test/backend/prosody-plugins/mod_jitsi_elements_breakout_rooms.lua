-- mod_jitsi_elements_breakout_rooms: breakout rooms (protocol.md 13.3, 4.17).
--
-- Part of jitsi-elements' local test backend. It STANDS IN for the breakout-rooms module of a real Jitsi
-- deployment's Prosody, written for this project from the protocol clients see. Enabled on the breakout MUC
-- component (`breakout.<domain>`, test/backend/features/components.ts); it also watches the main MUC
-- (option `main_muc`, default `conference.<domain>`). That one address is both the component that takes the
-- moderators' commands and the MUC that hosts the breakout rooms.
--
-- * Commands: `<message to="breakout.<domain>"><breakout_rooms type="features/breakout-rooms/…" …/></message>`
--   from a moderator of the main room of the sender's session (`?room=`, mod_jitsi_elements_session) or of
--   one of its breakout rooms: add (subject), remove (breakoutRoomJid), rename (breakoutRoomJid, subject),
--   move-to-room (participantJid, roomJid). Anything else is ignored (the message falls through to the MUC).
-- * Update: `{"type":"breakout_rooms","event":"features/breakout-rooms/update","roomCounter":N,"rooms":{…}}`
--   at most every 300 ms after a change or a non-focus join/leave, to every non-focus occupant of the main
--   room and of its breakout rooms. Move: `{"type":"breakout_rooms","event":"features/breakout-rooms/move-to-room",
--   "roomJid":…}` to `participantJid` only.
-- * Lifecycle: `add` registers `<uuid>@breakout…` and makes the main room persistent; the MUC destroys any
--   breakout room that is not registered ("Breakout room is invalid."); a registered one takes its name as
--   subject. `remove` destroys it with the main room as alternate ("Breakout room removed."). The main room's
--   destruction destroys its breakout rooms; when nobody but the focus is left anywhere, the main room is
--   destroyed after 5 s.
-- * Breakout rooms' affiliations and members-only follow the main room; their disco#info form carries
--   `muc#roominfo_isbreakout`, `muc#roominfo_breakout_main_room` (and the main room's lobby when it has one).
-- * disco#info to this component with node `breakout_rooms` lists the rename feature for `?room=` sessions.

local jid_node = require "util.jid".node;
local jid_host = require "util.jid".host;
local json = require "util.json";
local st = require "util.stanza";
local uuid = require "util.uuid".generate;

module:depends("jitsi_elements_session");

local IDENTITY_TYPE = "breakout_rooms";
local RENAME_FEATURE = "http://jitsi.org/protocol/breakout_rooms#rename";
local BROADCAST_INTERVAL = 0.3;
local ROOMS_TTL_IF_ALL_LEFT = 5;
local ADD = "features/breakout-rooms/add";
local MOVE_TO_ROOM = "features/breakout-rooms/move-to-room";
local REMOVE = "features/breakout-rooms/remove";
local RENAME = "features/breakout-rooms/rename";
local UPDATE = "features/breakout-rooms/update";

local breakout_host = module.host;
local main_domain = breakout_host:gsub("^[^.]+%.", "");
local main_muc_host = module:get_option_string("main_muc", "conference." .. main_domain);

local main_muc; -- the main MUC's mod_muc, once loaded
local breakout_muc = module:depends("muc");

-- breakout room JID -> main room JID
local main_room_of = {};

local function main_room_jid_of(room_jid)
	if jid_host(room_jid) == main_muc_host then return room_jid; end
	return main_room_of[room_jid];
end

local function main_room_for(room_jid)
	local main_jid = main_room_jid_of(room_jid);
	return main_jid and main_muc and main_muc.get_room_from_jid(main_jid), main_jid;
end

local function is_focus(occupant)
	return jid_node(occupant.jid) == "focus";
end

local function send_json(to, payload)
	local text = json.encode(payload);
	if not text then return; end
	module:send(st.message({ from = breakout_host, to = to })
		:tag("json-message", { xmlns = "http://jitsi.org/jitmeet" }):text(text):up());
end

local function participants_of(room)
	local participants = {};
	if not room then return participants; end
	for nick, occupant in room:each_occupant() do
		if not is_focus(occupant) then
			participants[nick] = {
				jid = occupant.jid,
				role = occupant.role,
				displayName = occupant:get_presence():get_child_text("nick", "http://jabber.org/protocol/nick"),
			};
		end
	end
	return participants;
end

local function each_live_breakout_room(main_room)
	local list = {};
	for jid in pairs(main_room._data.breakout_rooms or {}) do
		local room = breakout_muc.get_room_from_jid(jid);
		if room then list[#list + 1] = room; end
	end
	return ipairs(list);
end

local function broadcast(room_jid)
	local main_room = main_room_for(room_jid);
	if not main_room or main_room.jitsi_elements_broadcast_timer then return; end
	main_room.jitsi_elements_broadcast_timer = module:add_timer(BROADCAST_INTERVAL, function()
		local room, main_jid = main_room_for(room_jid);
		if not room then return; end
		room.jitsi_elements_broadcast_timer = nil;
		local node = jid_node(main_jid);
		local rooms = {
			[node] = { isMainRoom = true, id = node, jid = main_jid, name = room._data.subject, participants = participants_of(room) },
		};
		for jid, subject in pairs(room._data.breakout_rooms or {}) do
			local breakout_node = jid_node(jid);
			rooms[breakout_node] = { id = breakout_node, jid = jid, name = subject, participants = participants_of(breakout_muc.get_room_from_jid(jid)) };
		end
		local payload = { type = IDENTITY_TYPE, event = UPDATE, roomCounter = room._data.breakout_rooms_counter, rooms = rooms };
		for _, occupant in room:each_occupant() do
			if not is_focus(occupant) then send_json(occupant.jid, payload); end
		end
		for _, breakout_room in each_live_breakout_room(room) do
			for _, occupant in breakout_room:each_occupant() do
				if not is_focus(occupant) then send_json(occupant.jid, payload); end
			end
		end
	end);
end

local function create_breakout_room(main_room, subject)
	local jid = uuid() .. "@" .. breakout_host;
	if not main_room._data.breakout_rooms then
		main_room._data.breakout_rooms = {};
		main_room._data.breakout_rooms_counter = 0;
	end
	main_room._data.breakout_rooms_counter = main_room._data.breakout_rooms_counter + 1;
	main_room._data.breakout_rooms[jid] = subject;
	main_room._data.breakout_rooms_active = true;
	-- Not destroyed when everybody has gone to the breakout rooms.
	main_room:set_persistent(true);
	main_room:save(true);
	main_room_of[jid] = main_room.jid;
	broadcast(main_room.jid);
end

local function destroy_breakout_room(main_room, jid, reason)
	if not jid or jid == main_room.jid or not main_room._data.breakout_rooms then return; end
	local room = breakout_muc.get_room_from_jid(jid);
	if room then room:destroy(main_room.jid, reason or "Breakout room removed."); end
	main_room._data.breakout_rooms[jid] = nil;
	main_room:save(true);
	main_room_of[jid] = nil;
	broadcast(main_room.jid);
end

local function rename_breakout_room(main_room, jid, name)
	if not jid or jid == main_room.jid or not main_room._data.breakout_rooms or not main_room._data.breakout_rooms[jid] then return; end
	main_room._data.breakout_rooms[jid] = name;
	local room = breakout_muc.get_room_from_jid(jid);
	if room then room:set_subject(room.jid, name); end
	main_room:save(true);
	broadcast(main_room.jid);
end

-- Commands to the component address.
module:hook("message/host", function(event)
	local session, stanza = event.origin, event.stanza;
	if stanza.attr.type == "error" then return; end
	local command = stanza:get_child(IDENTITY_TYPE);
	if not command then return; end
	if not session or not session.jitsi_web_query_room or not main_muc then return false; end
	local main_room = main_muc.get_room_from_jid(session.jitsi_web_query_room .. "@" .. main_muc_host);
	if not main_room then
		module:log("warn", "No room found for %s", session.jitsi_web_query_room);
		return false;
	end
	local from = stanza.attr.from;
	local occupant = main_room:get_occupant_by_real_jid(from);
	if not occupant then
		for _, room in each_live_breakout_room(main_room) do
			occupant = room:get_occupant_by_real_jid(from);
			if occupant then break; end
		end
	end
	if not occupant then
		module:log("warn", "No occupant %s found for %s", from, main_room.jid);
		return false;
	end
	if occupant.role ~= "moderator" then
		module:log("warn", "Occupant %s is not moderator and not allowed this operation for %s", from, main_room.jid);
		return false;
	end
	local kind = command.attr.type;
	if kind == ADD then
		create_breakout_room(main_room, command.attr.subject);
		return true;
	elseif kind == REMOVE then
		destroy_breakout_room(main_room, command.attr.breakoutRoomJid);
		return true;
	elseif kind == RENAME then
		rename_breakout_room(main_room, command.attr.breakoutRoomJid, command.attr.subject);
		return true;
	elseif kind == MOVE_TO_ROOM then
		local target = command.attr.roomJid;
		local rooms = main_room._data.breakout_rooms;
		if not target or not rooms or not (rooms[target] or target == main_room.jid) then
			module:log("warn", "Invalid breakout room %s for %s", tostring(target), main_room.jid);
			return false;
		end
		if not command.attr.participantJid then return false; end
		send_json(command.attr.participantJid, { type = IDENTITY_TYPE, event = MOVE_TO_ROOM, roomJid = target });
		return true;
	end
	return false;
end, 10);

-- Only registered breakout rooms may exist; they are named by the main room's registry.
module:hook("muc-room-pre-create", function(event)
	local room = event.room;
	local main_room, main_jid = main_room_for(room.jid);
	local registry = main_room and main_room._data.breakout_rooms;
	if registry and registry[room.jid] then
		room:set_subject(room.jid, registry[room.jid]);
		return;
	end
	module:log("debug", "Invalid breakout room %s will not be created.", room.jid);
	room:destroy(main_jid, "Breakout room is invalid.");
	return true;
end);

local function any_occupant(room)
	if not room then return false; end
	for _, occupant in room:each_occupant() do
		if not is_focus(occupant) then return true; end
	end
	return false;
end

local function on_occupant_joined(event)
	local main_room = main_room_for(event.room.jid);
	if not main_room or not main_room._data.breakout_rooms_active then return; end
	if not is_focus(event.occupant) then broadcast(main_room.jid); end
	if main_room.jitsi_elements_close_timer then
		main_room.jitsi_elements_close_timer:stop();
		main_room.jitsi_elements_close_timer = nil;
	end
end

local function on_occupant_left(event)
	local main_room, main_jid = main_room_for(event.room.jid);
	if not main_room or not main_room._data.breakout_rooms_active then return; end
	if not is_focus(event.occupant) then broadcast(main_jid); end
	if main_room.jitsi_elements_close_timer or any_occupant(main_room) then return; end
	for _, room in each_live_breakout_room(main_room) do
		if any_occupant(room) then return; end
	end
	main_room.jitsi_elements_close_timer = module:add_timer(ROOMS_TTL_IF_ALL_LEFT, function()
		local room = main_room_for(main_jid);
		if room and room.jitsi_elements_close_timer then
			room.jitsi_elements_close_timer = nil;
			room:destroy(nil, "All occupants left.");
		end
	end);
end

module:hook("muc-occupant-joined", on_occupant_joined);
module:hook("muc-occupant-left", on_occupant_left);

-- What a client reads from a breakout room's disco#info (and the focus from its configuration form).
module:hook("muc-disco#info", function(event)
	local main_room, main_jid = main_room_for(event.room.jid);
	table.insert(event.form, { name = "muc#roominfo_isbreakout", label = "Is this a breakout room?", type = "boolean" });
	event.formdata["muc#roominfo_isbreakout"] = true;
	table.insert(event.form, { name = "muc#roominfo_breakout_main_room", label = "The main room associated with this breakout room" });
	event.formdata["muc#roominfo_breakout_main_room"] = main_jid;
	if main_room and main_room._data.lobbyroom and main_room:get_members_only() then
		table.insert(event.form, { name = "muc#roominfo_lobbyroom", label = "Lobby room jid" });
		event.formdata["muc#roominfo_lobbyroom"] = main_room._data.lobbyroom;
	end
end);

module:hook("muc-config-form", function(event)
	local _, main_jid = main_room_for(event.room.jid);
	table.insert(event.form, { name = "muc#roominfo_isbreakout", label = "Is this a breakout room?", type = "boolean", value = true });
	table.insert(event.form, { name = "muc#roominfo_breakout_main_room", label = "The main room associated with this breakout room", value = main_jid });
end);

-- Affiliations and members-only of a breakout room are those of its main room.
local room_mt = breakout_muc.room_mt;
room_mt.get_members_only = function(room)
	local main_room = main_room_for(room.jid);
	return main_room and main_room:get_members_only() or false;
end
room_mt.get_affiliation = function(room, jid)
	local main_room = main_room_for(room.jid);
	return main_room and main_room:get_affiliation(jid) or "none";
end

-- The main MUC: joins and leaves there count too, and its destruction takes the breakout rooms along.
local function watch_main_muc(host_module, muc)
	main_muc = muc;
	host_module:hook("muc-occupant-joined", on_occupant_joined);
	host_module:hook("muc-occupant-left", on_occupant_left);
	host_module:hook("muc-room-destroyed", function(event)
		local main_room = event.room;
		for jid in pairs(main_room._data.breakout_rooms or {}) do
			destroy_breakout_room(main_room, jid, event.reason);
		end
	end, 1);
end

local function when_muc_loaded(host)
	local host_module = module:context(host);
	local muc = prosody.hosts[host].modules.muc;
	if muc then
		watch_main_muc(host_module, muc);
		return;
	end
	prosody.hosts[host].events.add_handler("module-loaded", function(event)
		if event.module == "muc" then watch_main_muc(host_module, prosody.hosts[host].modules.muc); end
	end);
end

if prosody.hosts[main_muc_host] then
	when_muc_loaded(main_muc_host);
else
	module:hook_global("host-activated", function(host)
		if host == main_muc_host then when_muc_loaded(host); end
	end);
end

-- The rename feature, for sessions opened for a room: disco#info to this component with node breakout_rooms
-- (mod_muc depends on mod_disco, which answers node queries to the host with this event).
module:hook("host-disco-info-node", function(event)
	local session, reply, node = event.origin, event.reply, event.node;
	if node ~= IDENTITY_TYPE then return; end
	if session.jitsi_web_query_room then reply:tag("feature", { var = RENAME_FEATURE }):up(); end
	event.exists = true;
end);
