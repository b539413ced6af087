export { createAuthenticator, readCredential } from './auth.js';
export { ConfigError, loadConfig } from './config.js';
export type { Config } from './config.js';
export { createLogger } from './logger.js';
export { buildServer } from './server.js';
