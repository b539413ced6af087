import { randomBytes } from 'node:crypto';

import type { ConfigVars } from './config-vars.js';
import { isConfigKey } from './config-vars.js';
import type { ProcessSize } from './formation.js';
import { PROCESS_SIZE_NAMES, isProcessSize } from './formation.js';

/** One env entry of app.json; a bare string is shorthand for `{value}`. */
export interface AppJsonEnv {
  readonly value?: string;
  readonly description?: string;
  readonly required: boolean;
  readonly generator?: 'secret';
}

export interface AppJsonAddon {
  readonly plan: string;
  readonly as?: string;
}

export interface AppJsonEnvironment {
  readonly env?: Readonly<Record<string, AppJsonEnv>>;
  readonly formation?: Readonly<Record<string, { readonly quantity?: number; readonly size?: ProcessSize }>>;
  readonly addons?: readonly AppJsonAddon[];
  readonly scripts?: Readonly<Record<string, string>>;
}

/** The parts of Heroku's app.json this platform reads. Unknown top-level fields are ignored, as on Heroku. */
export interface AppJson {
  readonly name?: string;
  readonly description?: string;
  readonly env: Readonly<Record<string, AppJsonEnv>>;
  readonly formation: Readonly<Record<string, { readonly quantity?: number; readonly size?: ProcessSize }>>;
  readonly addons: readonly AppJsonAddon[];
  readonly buildpacks: readonly string[];
  /** `postdeploy`, `pr-predestroy`. */
  readonly scripts: Readonly<Record<string, string>>;
  readonly environments: { readonly review?: AppJsonEnvironment };
}

export type AppJsonParse = { readonly ok: true; readonly manifest: AppJson } | { readonly ok: false; readonly errors: readonly string[] };

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const SCRIPTS = new Set(['postdeploy', 'pr-predestroy']);
const PROCESS_TYPE = /^[A-Za-z0-9_-]{1,63}$/;

/** Checks app.json field by field; every error names its field and says what is wrong. */
class Checker {
  readonly errors: string[] = [];

  fail(field: string, problem: string): undefined {
    this.errors.push(`${field} ${problem}`);
    return undefined;
  }

  string(value: Json, field: string, maxLength = 4096): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.fail(field, `must be a string, not ${describe(value)}`);
    if (value.length > maxLength) return this.fail(field, `must be at most ${String(maxLength)} characters`);
    return value;
  }

  env(value: Json, field: string): Record<string, AppJsonEnv> | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) return this.fail(field, `must be an object of config var names, not ${describe(value)}`);
    const env: Record<string, AppJsonEnv> = {};
    for (const [key, entry] of Object.entries(value)) {
      const at = `${field}.${key}`;
      if (!isConfigKey(key)) {
        this.fail(at, 'is not a valid config var name (letters, digits and underscores, not starting with a digit)');
        continue;
      }
      if (typeof entry === 'string') {
        env[key] = { value: entry, required: true };
        continue;
      }
      if (!isObject(entry)) {
        this.fail(at, `must be a string or an object with value, description, required or generator, not ${describe(entry)}`);
        continue;
      }
      for (const name of Object.keys(entry)) {
        if (!['value', 'description', 'required', 'generator'].includes(name)) this.fail(`${at}.${name}`, 'is not a known field (value, description, required, generator)');
      }
      const required = entry['required'] ?? true;
      if (typeof required !== 'boolean') this.fail(`${at}.required`, `must be true or false, not ${describe(required)}`);
      const generator = entry['generator'];
      if (generator !== undefined && generator !== 'secret') this.fail(`${at}.generator`, `must be "secret", not ${describe(generator)}`);
      const text = this.string(entry['value'], `${at}.value`, 32 * 1024);
      const description = this.string(entry['description'], `${at}.description`);
      if (text !== undefined && generator !== undefined) this.fail(at, 'has both a value and a generator: keep one');
      env[key] = {
        required: required === true,
        ...(text === undefined ? {} : { value: text }),
        ...(description === undefined ? {} : { description }),
        ...(generator === 'secret' ? { generator: 'secret' as const } : {}),
      };
    }
    return env;
  }

  formation(value: Json, field: string): AppJson['formation'] | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) return this.fail(field, `must be an object of process types, not ${describe(value)}`);
    const formation: Record<string, { quantity?: number; size?: ProcessSize }> = {};
    for (const [type, entry] of Object.entries(value)) {
      const at = `${field}.${type}`;
      if (!PROCESS_TYPE.test(type)) {
        this.fail(at, 'is not a valid process type name');
        continue;
      }
      if (!isObject(entry)) {
        this.fail(at, `must be an object with quantity and size, not ${describe(entry)}`);
        continue;
      }
      const { quantity, size } = entry;
      if (quantity !== undefined && (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0 || quantity > 100)) {
        this.fail(`${at}.quantity`, `must be a whole number from 0 to 100, not ${describe(quantity)}`);
      }
      if (size !== undefined && !isProcessSize(size)) this.fail(`${at}.size`, `must be one of ${PROCESS_SIZE_NAMES.join(', ')}, not ${describe(size)}`);
      formation[type] = {
        ...(typeof quantity === 'number' ? { quantity } : {}),
        ...(isProcessSize(size) ? { size } : {}),
      };
    }
    return formation;
  }

  addons(value: Json, field: string): AppJsonAddon[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.fail(field, `must be a list of plans, not ${describe(value)}`);
    const addons: AppJsonAddon[] = [];
    value.forEach((entry: Json, index) => {
      const at = `${field}[${String(index)}]`;
      const item = typeof entry === 'string' ? { plan: entry } : entry;
      if (!isObject(item)) {
        this.fail(at, `must be a plan ("postgresql") or an object with plan and as, not ${describe(entry)}`);
        return;
      }
      const plan = this.string(item['plan'], `${at}.plan`, 100);
      if (plan === undefined || plan === '') {
        if (item['plan'] === undefined || plan === '') this.fail(`${at}.plan`, 'is required');
        return;
      }
      const as = this.string(item['as'], `${at}.as`, 100);
      if (as !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(as)) this.fail(`${at}.as`, 'must be an attachment name in capitals (DATABASE, CACHE)');
      addons.push({ plan, ...(as === undefined ? {} : { as }) });
    });
    return addons;
  }

  buildpacks(value: Json, field: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.fail(field, `must be a list of {"url": …}, not ${describe(value)}`);
    const urls: string[] = [];
    value.forEach((entry: Json, index) => {
      const url = isObject(entry) ? this.string(entry['url'], `${field}[${String(index)}].url`, 1000) : this.fail(`${field}[${String(index)}]`, `must be an object with url, not ${describe(entry)}`);
      if (url !== undefined && url !== '') urls.push(url);
      else if (isObject(entry) && entry['url'] === undefined) this.fail(`${field}[${String(index)}].url`, 'is required');
    });
    return urls;
  }

  scripts(value: Json, field: string): Record<string, string> | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) return this.fail(field, `must be an object of script names, not ${describe(value)}`);
    const scripts: Record<string, string> = {};
    for (const [name, command] of Object.entries(value)) {
      if (!SCRIPTS.has(name)) {
        this.fail(`${field}.${name}`, 'is not a script this platform runs (postdeploy, pr-predestroy)');
        continue;
      }
      const text = this.string(command, `${field}.${name}`, 64 * 1024);
      if (text !== undefined && text.trim() === '') this.fail(`${field}.${name}`, 'must not be empty');
      else if (text !== undefined) scripts[name] = text;
    }
    return scripts;
  }
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

/** Reads app.json's text: the manifest, or every error found (each naming its field). */
export function parseAppJson(text: string): AppJsonParse {
  let data: Json;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`app.json is not valid JSON: ${(error as Error).message}`] };
  }
  if (!isObject(data)) return { ok: false, errors: [`app.json must hold an object, not ${describe(data)}`] };
  const check = new Checker();
  const name = check.string(data['name'], 'name', 100);
  const description = check.string(data['description'], 'description', 1000);
  const env = check.env(data['env'], 'env') ?? {};
  const formation = check.formation(data['formation'], 'formation') ?? {};
  const addons = check.addons(data['addons'], 'addons') ?? [];
  const buildpacks = check.buildpacks(data['buildpacks'], 'buildpacks') ?? [];
  const scripts = check.scripts(data['scripts'], 'scripts') ?? {};
  let review: AppJsonEnvironment | undefined;
  const environments = data['environments'];
  if (environments !== undefined && !isObject(environments)) check.fail('environments', `must be an object, not ${describe(environments)}`);
  else if (environments !== undefined) {
    for (const key of Object.keys(environments)) {
      if (key !== 'review' && key !== 'test') check.fail(`environments.${key}`, 'is not an environment this platform reads (review)');
    }
    const raw = environments['review'];
    if (raw !== undefined && !isObject(raw)) check.fail('environments.review', `must be an object, not ${describe(raw)}`);
    else if (raw !== undefined) {
      const reviewEnv = check.env(raw['env'], 'environments.review.env');
      const reviewFormation = check.formation(raw['formation'], 'environments.review.formation');
      const reviewAddons = check.addons(raw['addons'], 'environments.review.addons');
      const reviewScripts = check.scripts(raw['scripts'], 'environments.review.scripts');
      review = {
        ...(reviewEnv ? { env: reviewEnv } : {}),
        ...(reviewFormation ? { formation: reviewFormation } : {}),
        ...(reviewAddons ? { addons: reviewAddons } : {}),
        ...(reviewScripts ? { scripts: reviewScripts } : {}),
      };
    }
  }
  if (check.errors.length > 0) return { ok: false, errors: check.errors };
  return {
    ok: true,
    manifest: {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      env,
      formation,
      addons,
      buildpacks,
      scripts,
      environments: review ? { review } : {},
    },
  };
}

/** What app.json's env adds to an app's config: only keys the app does not have yet. */
export interface AppJsonEnvPlan {
  readonly set: ConfigVars;
  /** Required keys with no value in app.json and none set on the app. */
  readonly missing: readonly string[];
}

/**
 * Pure: values and generated secrets for keys the app lacks. A key already set is never
 * changed, so a generated secret is made once and kept across deploys.
 */
export function planAppJsonEnv(env: Readonly<Record<string, AppJsonEnv>>, current: ConfigVars, secret: () => string = generateSecret): AppJsonEnvPlan {
  const set: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, entry] of Object.entries(env)) {
    if (Object.hasOwn(current, key)) continue;
    if (entry.generator === 'secret') set[key] = secret();
    else if (entry.value !== undefined) set[key] = entry.value;
    else if (entry.required) missing.push(key);
  }
  return { set, missing: missing.sort() };
}

/** Heroku's `generator: "secret"`: 64 hex characters (256 random bits). */
export function generateSecret(): string {
  return randomBytes(32).toString('hex');
}

/** app.json as a review app reads it: `environments.review` over the top-level fields. */
export function forReviewApp(manifest: AppJson): AppJson {
  const review = manifest.environments.review;
  if (!review) return manifest;
  return {
    ...manifest,
    env: { ...manifest.env, ...review.env },
    formation: { ...manifest.formation, ...review.formation },
    addons: review.addons ?? manifest.addons,
    scripts: { ...manifest.scripts, ...review.scripts },
  };
}
