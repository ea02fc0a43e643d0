export * from './events.js';
export * from './rejection.js';
export { photoLimits, type Photo } from './photo-rules.js';
export { triggerPhraseFor, defaultSteps, type Attempt } from './training-rules.js';
export { avatarMachine, type AvatarContext, type AvatarMachineEvent } from './avatar-machine.js';
export * from './avatar.js';
export * from './generation.js';
export * from './effects.js';
export type { Decision, Lifecycle, PersistedState } from './lifecycle.js';
