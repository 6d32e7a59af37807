/** The feature stand-ins the focus stand-in hosts (see types.ts). Each feature adds itself here. */
import { createJibriStandIn } from './jibri.js';
import { createJigasiStandIn } from './jigasi.js';
import { createPollsStandIn } from './polls.js';
import type { FeatureStandIn } from './types.js';

export function createFeatures(): FeatureStandIn[] {
  return [
    createPollsStandIn(),
    createJibriStandIn(),
    createJigasiStandIn(),
  ];
}
