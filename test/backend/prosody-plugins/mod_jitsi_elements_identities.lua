-- Announces the deployment's components as identities of the host's disco#info, as a Jitsi deployment's
-- Prosody does (protocol.md 2.3): jitsi_elements_identities = { { type = "speakerstats", name = "speakerstats.<domain>" }, … }
local identities = module:get_option("jitsi_elements_identities", {});
for _, identity in ipairs(identities) do
	module:add_identity("component", identity.type, identity.name);
end
