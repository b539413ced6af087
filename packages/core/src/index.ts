export * from './app-name.js';
export * from './config-vars.js';
export * from './errors.js';
export * from './formation.js';
export * from './procfile.js';
export * from './range.js';
export * from './release.js';
export type * from './resources.js';
export { BUILD_ID_HEADER, RELEASE_VERSION_HEADER } from './resources.js';
