export { ApiError, isApiError } from './api-error.js';
export { createClient } from './client.js';
export type { BuildStream } from './build-upload.js';
export type {
  AppUpdate,
  ClientOptions,
  ConfigVarsUpdate,
  FormationUpdateInput,
  LogOptions,
  PaasClient,
  ReleasePage,
  ReleasePageOptions,
} from './client.js';
export { DEFAULT_TIMEOUT_MS, USER_AGENT } from './transport.js';
export type { SocketTarget } from './transport.js';
