export {
  startFalEmulator,
  type FailJobOptions,
  type FalEmulator,
  type FalEmulatorOptions,
  type FalJobView,
} from './emulator.js';
export type { FalRoute, SubmitHang } from './faults.js';
export type { ErrorDetail } from './input-errors.js';
export type { DeliveryAttempt, JobStatus } from './jobs.js';
export type { CallRecord } from './router.js';
