import type { AvatarState } from '@avatar/machine';

export function isOwnedBy(state: AvatarState, userId: number): boolean {
  return state.context.ownerId === userId;
}
