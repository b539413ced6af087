export { formatAccessLine, type AccessEntry } from './access-line.js';
export { REQUEST_ID_PATTERN } from './forwarded-headers.js';
export {
  ACME_CHALLENGE_PREFIX,
  certificateFor,
  challengeAnswer,
  createRouteTable,
  withEdge,
  decideRoute,
  lookupHost,
  normalizeHost,
  pickBackend,
  resolveHost,
  withApp,
  withoutApp,
  type AcmeChallenge,
  type AppRoute,
  type EdgeState,
  type TlsCertificate,
  type AppState,
  type Backend,
  type RouteDecision,
  type RouteTable,
} from './route-table.js';
export { ROUTER_ERRORS, type RouterError, type RouterErrorCode } from './router-errors.js';
// createRouter itself is not here: paasd runs it in the router's thread (threaded/), and its
// main thread should not load what the router alone needs. Tests import it from router.js.
export type { Router, RouterLogger, RouterOptions } from './router.js';
export { createThreadedRouter, type ThreadedRouter, type ThreadedRouterOptions } from './threaded/threaded-router.js';
export { NGINX, createNginxPlane, type NginxPlane, type NginxPlaneOptions } from './planes/nginx/nginx-plane.js';
