export { formatAccessLine, type AccessEntry } from './access-line.js';
export { REQUEST_ID_PATTERN } from './forwarded-headers.js';
export {
  createRouteTable,
  decideRoute,
  lookupHost,
  normalizeHost,
  pickBackend,
  resolveHost,
  withApp,
  withoutApp,
  type AppRoute,
  type AppState,
  type Backend,
  type RouteDecision,
  type RouteTable,
} from './route-table.js';
export { ROUTER_ERRORS, type RouterError, type RouterErrorCode } from './router-errors.js';
export { createRouter, type Router, type RouterLogger, type RouterOptions } from './router.js';
