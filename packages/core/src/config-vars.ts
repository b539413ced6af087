import { invalidParams } from './errors.js';

export type ConfigVars = Readonly<Record<string, string>>;
/** A change as the API takes it: a string sets a key, `null` removes it. */
export type ConfigPatch = Readonly<Record<string, string | null>>;

export const CONFIG_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CONFIG_KEY_MAX_LENGTH = 256;
/** Heroku caps an app's config at 32 KiB; we count keys and values together the same way. */
export const CONFIG_MAX_BYTES = 32 * 1024;

export const CONFIG_KEY_RULE =
  'a key starts with a letter or underscore and holds only letters, digits and underscores';

/**
 * Variables the platform sets in every process (after config vars, so a config var of
 * the same name would be silently overridden): setting one is refused. `PATH` stays the
 * app's to set, as on Heroku.
 */
export const PLATFORM_CONFIG_KEYS: ReadonlySet<string> = new Set(['PORT', 'DYNO', 'HOME', 'SOURCE_VERSION']);
/** Every `PAAS_*` variable belongs to the platform (`PAAS_APP_NAME`, `PAAS_RELEASE_VERSION`, …). */
export const PLATFORM_CONFIG_PREFIX = 'PAAS_';

/**
 * `PAAS_*` settings an app sets and the platform only reads, never sets in a process:
 * `PAAS_PLACEMENT_<TYPE>` pins a process type to Swarm nodes by label (docs/swarm.md).
 */
export const APP_SETTING_PREFIXES: readonly string[] = ['PAAS_PLACEMENT_'];

export function isPlatformConfigKey(key: string): boolean {
  if (APP_SETTING_PREFIXES.some((prefix) => key.startsWith(prefix))) return false;
  return PLATFORM_CONFIG_KEYS.has(key) || key.startsWith(PLATFORM_CONFIG_PREFIX);
}

export function isConfigKey(key: string): boolean {
  return key.length <= CONFIG_KEY_MAX_LENGTH && CONFIG_KEY_PATTERN.test(key);
}

/** Checks keys and values; messages name keys but never show values. */
export function validateConfigPatch(patch: ConfigPatch): void {
  const bad = Object.keys(patch).filter((key) => !isConfigKey(key));
  if (bad.length > 0) {
    const shown = bad.map((key) => JSON.stringify(key.slice(0, 64))).join(', ');
    throw invalidParams(`Invalid config var key ${shown}: ${CONFIG_KEY_RULE}.`);
  }
  // Removing one stays allowed, so a value stored before this rule can be cleared.
  const owned = Object.entries(patch).filter(([key, value]) => value !== null && isPlatformConfigKey(key)).map(([key]) => key);
  if (owned.length > 0) {
    throw invalidParams(
      `${owned.join(', ')} ${owned.length === 1 ? 'is' : 'are'} set by the platform in every process ` +
        `(PORT, DYNO, HOME, SOURCE_VERSION and PAAS_*) and cannot be a config var: the platform's value would replace yours. ` +
        'Use another name, e.g. MY_PORT.',
    );
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) continue;
    if (typeof value !== 'string') {
      throw invalidParams(`Config var ${key} must be a string, or null to remove it.`);
    }
    if (value.includes('\0')) {
      throw invalidParams(`Config var ${key} contains a NUL byte, which an environment variable cannot hold.`);
    }
  }
}

export interface ConfigChange {
  readonly next: ConfigVars;
  readonly set: readonly string[];
  readonly unset: readonly string[];
}

/** Applies a patch; `set` and `unset` list only keys whose value really changed. */
export function applyConfigPatch(current: ConfigVars, patch: ConfigPatch): ConfigChange {
  validateConfigPatch(patch);
  const next: Record<string, string> = { ...current };
  const set: string[] = [];
  const unset: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (Object.hasOwn(next, key)) {
        delete next[key];
        unset.push(key);
      }
    } else if (next[key] !== value) {
      next[key] = value;
      set.push(key);
    }
  }
  const bytes = Object.entries(next).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value),
    0,
  );
  if (bytes > CONFIG_MAX_BYTES) {
    throw invalidParams(
      `Config vars would take ${String(bytes)} bytes, over the limit of ${String(CONFIG_MAX_BYTES)}: ` +
        'keep large values (certificates, files) out of config or store them elsewhere.',
    );
  }
  return { next: sortKeys(next), set, unset };
}

export function sortKeys(vars: Record<string, string>): ConfigVars {
  return Object.fromEntries(Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** "Set FOO, BAR config vars" / "Remove FOO config vars" — Heroku's wording. */
export function describeConfigChange(set: readonly string[], unset: readonly string[]): string {
  const parts: string[] = [];
  if (set.length > 0) parts.push(`Set ${set.join(', ')} config ${set.length === 1 ? 'var' : 'vars'}`);
  if (unset.length > 0) {
    parts.push(`${parts.length > 0 ? 'remove' : 'Remove'} ${unset.join(', ')} config ${unset.length === 1 ? 'var' : 'vars'}`);
  }
  return parts.join(' and ');
}
