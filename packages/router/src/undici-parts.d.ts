/**
 * The two parts of undici the router uses, imported alone: undici's index also loads fetch,
 * websockets, caches and proxies (some 9 MB resident and a tenth of a second at start) that
 * the router never calls. The types are undici's own.
 */
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';

  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/core/errors.js' {
  import type { errors } from 'undici';

  const undiciErrors: typeof errors;
  export default undiciErrors;
}
