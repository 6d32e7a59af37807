/**
 * The in-call views of `<jitsi-conference>` (stage, controls, panels with moderation, breakout rooms and the
 * lobby queue, recording): loaded on demand, from the pre-join step on, so the CDN build's first load does not
 * carry them (issue 15). jitsi-conference.ts imports this module dynamically only.
 */
export { renderControls, renderStage, stageModel, tileModels } from './view-call.js';
export { renderPanel } from './view-panels.js';
export { renderUnmuteNotice } from './view-moderation.js';
