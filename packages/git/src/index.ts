export { findCgiBodyStart, parseCgiHead, type CgiHead } from './cgi-response.js';
export {
  handleGitHttp,
  type GitHttpExit,
  type GitHttpOptions,
  type GitHttpRequest,
  type GitHttpResponse,
} from './git-http.js';
export { PUSH_ENV } from './push-frames.js';
export { DEPLOY_BRANCHES, isZeroRev, planPush, showRef, type PushPlan, type RefUpdate } from './push-policy.js';
export {
  PUSH_MESSAGES,
  createPushServer,
  type Push,
  type PushServer,
  type PushServerOptions,
  type PushTicket,
} from './push-server.js';
export {
  DEFAULT_HOOK_SCRIPT,
  REPO_CONFIG,
  createRepoStore,
  renderPreReceiveHook,
  type CommitSummary,
  type RepoStore,
  type RepoStoreOptions,
} from './repo-store.js';
