/** Event builders and generated machine paths for tests across the workspace (no I/O). */
export * from './events.js';
export * from './paths.js';
