-- mod_jitsi_elements_lobby_rooms: the lobby MUC of a Jitsi deployment (protocol.md 13.1), on lobby.<domain>.
--
-- Part of jitsi-elements' local test backend. It STANDS IN for the lobby-room half of a Jitsi deployment's
-- lobby module, written for this project from protocol.md 13.1. Lobby rooms are created and destroyed by
-- the main room's side (mod_jitsi_elements_lobby, which also mirrors the affiliations); here:
--   * Visibility: a knocker receives only its own presence and unavailable presences; owners (the main
--     room's moderators) receive the knockers' presences, but not each other's; a message passes only when
--     its sender or its recipient is an owner.
--   * Only an owner may kick (deny) a knocker; a denial is announced in the main room as
--     LOBBY-ACCESS-DENIED, from the denying owner's occupant JID there.

local st = require "util.stanza";
local jid_lib = require "util.jid";
local json = require "util.json";

local NS_JITMEET = "http://jitsi.org/jitmeet";

local function is_owner(room, real_jid)
	return real_jid ~= nil and room:get_affiliation(real_jid) == "owner";
end

-- Whether a stanza the room routes to `stanza.attr.to` may reach it.
local function visible(room, stanza)
	if stanza.name == "iq" then return true; end
	local from = stanza.attr.from;
	local _, _, nick = jid_lib.split(from);
	if not nick then return true; end -- the room itself (status codes, subject)
	local recipient_owner = is_owner(room, stanza.attr.to);
	local sender = room:get_occupant_by_nick(from);
	local sender_owner = sender ~= nil and is_owner(room, sender.bare_jid);
	if stanza.name == "presence" then
		if stanza.attr.type == "unavailable" then return true; end
		if sender and sender.bare_jid == jid_lib.bare(stanza.attr.to) then return true; end -- self-presence
		return recipient_owner and not sender_owner;
	end
	return recipient_owner or sender_owner;
end

local function filter_routing(room)
	room.route_stanza = function(self, stanza)
		if visible(self, stanza) then module:send(stanza); end
	end
end

module:hook("muc-room-created", function(event) filter_routing(event.room); end);
module:hook("muc-room-restored", function(event) filter_routing(event.room); end);

local function main_room(room)
	local main_jid = room._data.jitsi_elements_main_room;
	local host = main_jid and prosody.hosts[jid_lib.host(main_jid)];
	local service = host and host.modules.muc;
	return service and service.get_room_from_jid(main_jid);
end

-- A kick is a denial: only owners may, and the occupant remembers who denied it for muc-occupant-left.
module:hook("muc-pre-set-role", function(event)
	if event.role ~= nil and event.role ~= "none" then return; end
	if not is_owner(event.room, event.actor) then
		event.allowed, event.error, event.condition = false, "auth", "forbidden";
		return;
	end
	event.allowed = true;
	event.occupant.jitsi_elements_denied_by = event.actor;
end, 10);

module:hook("muc-occupant-left", function(event)
	local occupant = event.occupant;
	local actor = occupant and occupant.jitsi_elements_denied_by;
	if not actor then return; end
	local main = main_room(event.room);
	if not main then return; end
	local presence = occupant:get_presence();
	local payload = {
		type = "lobby-notify";
		event = "LOBBY-ACCESS-DENIED";
		value = occupant.nick;
		name = presence and presence:get_child_text("nick", "http://jabber.org/protocol/nick") or nil;
	};
	local message = st.message({ type = "groupchat", from = main:get_occupant_jid(actor) or main.jid })
		:tag("json-message", { xmlns = NS_JITMEET }):text(json.encode(payload)):up();
	main:broadcast(message);
end);
