export { inspector } from './plugin.js';
export type { InspectorOptions } from './options.js';
export type * from './api-types.js';
