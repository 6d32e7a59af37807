-- mod_jitsi_elements_lobby: the main-room side of a Jitsi lobby (protocol.md 13.1), on the conference MUC.
--
-- Part of jitsi-elements' local test backend. It STANDS IN for the main-room half of a Jitsi deployment's
-- lobby module, written for this project from protocol.md 13.1 (and XEP-0045's members-only rooms, which
-- Prosody implements itself): it does only what clients can observe of the real one.
--   * An owner's members-only submit creates the lobby room `<node>@<lobby MUC>` (Prosody sends the 104);
--     switching members-only off destroys it with the main room as the alternate address.
--   * Room disco#info carries `muc#roominfo_lobbyroom` while there is a lobby.
--   * An unaffiliated join is refused with auth/registration-required (code 407) naming the lobby room, in
--     the error and in the legacy copy; the room's password admits (the joiner becomes a member).
--   * lobby-notify JSON for the main room, from the actor's occupant JID: LOBBY-ENABLED on each switch,
--     LOBBY-ACCESS-GRANTED on an invite (Prosody's members-only invite makes the invitee a member and
--     forwards it); the lobby side (mod_jitsi_elements_lobby_rooms) sends LOBBY-ACCESS-DENIED.
--   * The lobby room's affiliations mirror the main room's.

local st = require "util.stanza";
local jid_lib = require "util.jid";
local json = require "util.json";

local lobby_host = module:get_option_string("jitsi_elements_lobby_muc");
local NS_JITMEET = "http://jitsi.org/jitmeet";

local function lobby_service()
	local host = lobby_host and prosody.hosts[lobby_host];
	return host and host.modules.muc;
end

local function lobby_of(room)
	local lobby_jid = room._data.lobbyroom;
	local service = lobby_service();
	if not lobby_jid or not service then return nil; end
	return service.get_room_from_jid(lobby_jid);
end

-- A lobby-notify message to every occupant of the main room, from the actor's occupant JID (the room's own
-- address when the actor is not an occupant).
local function notify(room, actor_real_jid, payload)
	local from = actor_real_jid and room:get_occupant_jid(actor_real_jid) or room.jid;
	payload.type = "lobby-notify";
	local message = st.message({ type = "groupchat", from = from })
		:tag("json-message", { xmlns = NS_JITMEET }):text(json.encode(payload)):up();
	room:broadcast(message);
end

local function attach_lobby(room)
	local service = lobby_service();
	if not service then
		module:log("error", "no lobby MUC at %s", tostring(lobby_host));
		return;
	end
	local lobby_jid = jid_lib.node(room.jid) .. "@" .. lobby_host;
	local lobby = service.get_room_from_jid(lobby_jid) or service.create_room(lobby_jid);
	if not lobby then return; end
	-- Kept while the lobby is on, even when nobody waits: destroyed explicitly (disable, main room gone).
	lobby:set_persistent(true);
	lobby._data.jitsi_elements_main_room = room.jid;
	for affiliated, affiliation in room:each_affiliation() do
		lobby:set_affiliation(true, affiliated, affiliation);
	end
	room._data.lobbyroom = lobby_jid;
end

local function destroy_lobby(room, alternate, reason)
	local lobby = lobby_of(room);
	room._data.lobbyroom = nil;
	if lobby then lobby:destroy(alternate, reason); end
end

-- After Prosody's own handler (priority 0) has applied the value.
module:hook("muc-config-submitted/muc#roomconfig_membersonly", function(event)
	local room = event.room;
	if room:get_members_only() then
		if room._data.lobbyroom then return; end
		attach_lobby(room);
		notify(room, event.actor, { event = "LOBBY-ENABLED", value = true });
	elseif room._data.lobbyroom then
		destroy_lobby(room, room.jid);
		notify(room, event.actor, { event = "LOBBY-ENABLED", value = false });
	end
end, -1);

module:hook("muc-room-destroyed", function(event)
	if event.room._data.lobbyroom then destroy_lobby(event.room, nil, "The main room was destroyed."); end
end);

module:hook("muc-disco#info", function(event)
	local lobby_jid = event.room._data.lobbyroom;
	if not lobby_jid then return; end
	table.insert(event.form, { name = "muc#roominfo_lobbyroom", type = "text-single", label = "Lobby room" });
	event.formdata["muc#roominfo_lobbyroom"] = lobby_jid;
end);

-- Before Prosody's members-only check (priority -5), which would refuse without naming the lobby.
module:hook("muc-occupant-pre-join", function(event)
	local room, stanza = event.room, event.stanza;
	local lobby_jid = room._data.lobbyroom;
	if not lobby_jid or not room:get_members_only() then return; end
	local affiliation = room:get_affiliation(stanza.attr.from);
	if affiliation and affiliation ~= "none" then return; end
	local password = room:get_password();
	if password then
		local x = stanza:get_child("x", "http://jabber.org/protocol/muc");
		if x and x:get_child_text("password", "http://jabber.org/protocol/muc") == password then
			room:set_affiliation(true, stanza.attr.from, "member", "Joined with the room password");
			-- The occupant's role was taken from its affiliation before this hook.
			event.occupant.role = room:get_default_role("member");
			return;
		end
	end
	local reply = st.error_reply(stanza, "auth", "registration-required", nil, room.jid);
	reply.attr.to = stanza.attr.from;
	reply.tags[#reply.tags].attr.code = "407";
	reply:tag("lobbyroom", { xmlns = NS_JITMEET }):text(lobby_jid):up():up();
	reply:tag("lobbyroom"):text(lobby_jid):up();
	reply:tag("x", { xmlns = "http://jabber.org/protocol/muc" }):up();
	event.origin.send(reply);
	return true;
end, -4);

-- After Prosody's own invite handlers (membership, password, legacy copies): tell the main room.
module:hook("muc-invite", function(event)
	local room = event.room;
	local lobby = lobby_of(room);
	if not lobby then return; end
	local invitee = event.stanza.attr.to;
	local occupant = lobby:get_occupant_by_real_jid(invitee);
	local presence = occupant and occupant:get_presence();
	notify(room, event.incoming.attr.from, {
		event = "LOBBY-ACCESS-GRANTED";
		value = occupant and occupant.nick or invitee;
		name = presence and presence:get_child_text("nick", "http://jabber.org/protocol/nick") or nil;
	});
end, -10);

module:hook("muc-set-affiliation", function(event)
	local lobby = lobby_of(event.room);
	if lobby then lobby:set_affiliation(true, event.jid, event.affiliation); end
end);
