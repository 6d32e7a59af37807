/** The feature stand-ins the focus stand-in hosts (see types.ts). Each feature adds itself here. */
import type { FeatureStandIn } from './types.js';

export function createFeatures(): FeatureStandIn[] {
  return [];
}
