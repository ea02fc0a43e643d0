import { answerRequests } from '../worker-thread.js';
import { foldPage } from './page.js';

/** The fold worker: pages in, replays out, so the machine runs while the main thread reads the log. */
answerRequests(foldPage);
