import { reservedCredits, walletIdOf, type WalletState } from '@avatar/machine';
import type { WalletsTable } from '../schema.js';
import type { RowWithoutStamps } from './inline.js';

/** The `wallets` row for a state: the sums the log folds to, never updated by arithmetic in SQL. */
export function walletRow(state: WalletState): RowWithoutStamps<WalletsTable> {
  return {
    wallet_id: walletIdOf(state.ownerId),
    owner_id: state.ownerId,
    balance: state.balance,
    reserved: reservedCredits(state),
    open_reservations: Object.keys(state.reservations).length,
  };
}
