/** The feature stand-ins the focus stand-in hosts (see types.ts). Each feature adds itself here. */
import { AVModerationStandIn } from './av-moderation.js';
import { EndConferenceStandIn } from './end-conference.js';
import { SpeakerStatsStandIn } from './speaker-stats.js';
import { createJibriStandIn } from './jibri.js';
import { createJigasiStandIn } from './jigasi.js';
import { createPollsStandIn } from './polls.js';
import type { FeatureStandIn } from './types.js';

export function createFeatures(): FeatureStandIn[] {
  return [
    new EndConferenceStandIn(),
    new AVModerationStandIn(),
    new SpeakerStatsStandIn(),
    createPollsStandIn(),
    createJibriStandIn(),
    createJigasiStandIn(),
  ];
}
