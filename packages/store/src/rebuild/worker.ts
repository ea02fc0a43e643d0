import { answerRequests } from '../worker-thread.js';
import { rebuildRows } from './rows.js';

/** The rebuild worker: a batch's streams in, its read-model rows out, while the main thread writes the batch before. */
answerRequests(rebuildRows);
