export { startService, type RunningService, type ServiceOptions } from './service.js';
export { serviceConfigFromEnv, ServiceConfigError, type ServiceConfig } from './config.js';
