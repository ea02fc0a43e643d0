import { avatarLifecycle, type AvatarEvent, type AvatarState } from '../src/index.js';

/** Folds events that must all be accepted; throws with the rejection otherwise. */
export function fold(events: readonly AvatarEvent[], from: AvatarState | null = null): AvatarState {
  let state = from;
  for (const event of events) {
    const decision = avatarLifecycle.decide(state, event);
    if (!decision.ok) throw new Error(`${event.type} refused: ${JSON.stringify(decision.rejection)}`);
    state = decision.state;
  }
  if (state === null) throw new Error('no events folded');
  return state;
}

export function refusal(state: AvatarState | null, event: AvatarEvent) {
  const decision = avatarLifecycle.decide(state, event);
  if (decision.ok) throw new Error(`${event.type} was accepted, expected a rejection`);
  return decision.rejection;
}
