export { ApiError, isApiError } from './api-error.js';
export { createClient } from './client.js';
export type { BuildStream } from './build-upload.js';
export type {
  ClientOptions,
  ConfigVarsUpdate,
  FormationUpdateInput,
  PaasClient,
  ReleasePage,
  ReleasePageOptions,
} from './client.js';
export { DEFAULT_TIMEOUT_MS, USER_AGENT } from './transport.js';
