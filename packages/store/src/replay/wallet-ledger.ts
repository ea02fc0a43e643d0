import { reservedCredits, type DomainEvent, type WalletState } from '@avatar/machine';

/**
 * A second bookkeeping of a wallet, by plain sums over the events it accepted, to check the
 * decider's balance against: balance = grants + top-ups − captures − star refunds, never below
 * zero, and never less than what is reserved.
 */
export class WalletLedger {
  private grants = 0;
  private topUps = 0;
  private captures = 0;
  private starRefunds = 0;
  private readonly reserved = new Map<string, number>();

  add(event: DomainEvent): void {
    switch (event.type) {
      case 'CreditsGranted':
        this.grants += event.credits;
        break;
      case 'TopUpPaid':
        this.topUps += event.credits;
        break;
      case 'CreditsReserved':
        this.reserved.set(event.reservationId, event.credits);
        break;
      case 'ReservationCaptured':
        this.captures += this.reserved.get(event.reservationId) ?? 0;
        this.reserved.delete(event.reservationId);
        break;
      case 'ReservationReleased':
        this.reserved.delete(event.reservationId);
        break;
      case 'StarsRefunded':
        this.starRefunds += event.credits;
        break;
      default:
        break;
    }
  }

  disagreements(state: WalletState): string[] {
    const expected = this.grants + this.topUps - this.captures - this.starRefunds;
    const found: string[] = [];
    if (state.balance !== expected) {
      found.push(
        `the balance is ${state.balance}, but grants ${this.grants} + top-ups ${this.topUps} − captures ${this.captures} − star refunds ${this.starRefunds} = ${expected}`,
      );
    }
    if (state.balance < 0) found.push(`the balance is negative: ${state.balance}`);
    let open = 0;
    for (const credits of this.reserved.values()) open += credits;
    if (open !== reservedCredits(state)) found.push(`${reservedCredits(state)} credits are reserved, but the open reservations add up to ${open}`);
    if (open > state.balance) found.push(`${open} credits are reserved out of a balance of ${state.balance}`);
    return found;
  }
}
