-- mod_jitsi_elements_meeting_id: a meeting id for every room (protocol.md 4.8).
--
-- Part of jitsi-elements' local test backend. It STANDS IN for the meeting-id module of a real Jitsi
-- deployment's Prosody, written for this project from the behaviour clients see: each room gets a random
-- unique id when it is created, published in the room's disco#info form as `muc#roominfo_meetingId`, from
-- which clients emit CONFERENCE_UNIQUE_ID_SET.

local uuid = require "util.uuid".generate;

module:hook("muc-room-created", function(event)
	event.room._data.meetingId = uuid();
end);

module:hook("muc-disco#info", function(event)
	local meeting_id = event.room._data.meetingId;
	if not meeting_id then return; end
	table.insert(event.form, { name = "muc#roominfo_meetingId", type = "text-single", label = "The meeting unique id." });
	event.formdata["muc#roominfo_meetingId"] = meeting_id;
end);
