import { randomInt } from 'node:crypto';

import { invalidParams } from './errors.js';

/**
 * The same rule guards URLs, file paths, container labels and hostnames: words of
 * lowercase letters and digits joined by single dashes, starting with a letter.
 */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const APP_NAME_MIN_LENGTH = 3;
export const APP_NAME_MAX_LENGTH = 30;

/** Names the platform's own hostnames and paths use; an app cannot take them. */
export const RESERVED_APP_NAMES: ReadonlySet<string> = new Set(['api', 'git', 'dashboard', 'www', 'localhost', 'default']);

export const APP_NAME_RULE =
  'a name has 3 to 30 characters: lowercase letters, digits and single dashes, starting with a letter and not ending with a dash';

/**
 * Names apps made before the rule tightened may still have (`my--app`, `ab`): they stay
 * reachable. Still nothing but lowercase letters, digits and dashes, so every use of a
 * name as a path, label or hostname stays safe.
 */
const EXISTING_APP_NAME = /^[a-z][a-z0-9-]{1,29}$/;

/** A name that may belong to an app: any new name, and those older apps kept. */
export function isAppName(value: unknown): value is string {
  return typeof value === 'string' && EXISTING_APP_NAME.test(value);
}

/** A name a new app may take. */
export function isNewAppName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= APP_NAME_MIN_LENGTH &&
    value.length <= APP_NAME_MAX_LENGTH &&
    APP_NAME_PATTERN.test(value)
  );
}

function showName(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}

export function assertAppName(value: unknown): string {
  if (isAppName(value)) return value;
  throw invalidParams(`Invalid app name ${showName(value)}: ${APP_NAME_RULE}. Choose a name like my-app-2.`);
}

/** The rule for a name a new app takes: a valid name that is not reserved. */
export function assertNewAppName(value: unknown): string {
  if (!isNewAppName(value)) throw invalidParams(`Invalid app name ${showName(value)}: ${APP_NAME_RULE}. Choose a name like my-app-2.`);
  const name = value;
  if (RESERVED_APP_NAMES.has(name)) {
    throw invalidParams(
      `The app name ${showName(name)} is reserved for the platform (${[...RESERVED_APP_NAMES].join(', ')}): choose another, e.g. ${name}-app.`,
    );
  }
  return name;
}

const ADJECTIVES = [
  'ancient', 'autumn', 'billowing', 'bitter', 'bold', 'brave', 'calm', 'crimson', 'damp',
  'dawn', 'falling', 'fresh', 'frosty', 'gentle', 'golden', 'hidden', 'icy', 'lively',
  'misty', 'nameless', 'patient', 'polished', 'proud', 'quiet', 'rapid', 'shy', 'silent',
  'snowy', 'sparkling', 'still', 'sunny', 'twilight', 'wandering', 'young',
];
const NOUNS = [
  'bird', 'brook', 'butterfly', 'cloud', 'dawn', 'dew', 'dream', 'dust', 'field', 'fire',
  'flower', 'forest', 'frog', 'glade', 'grass', 'haze', 'hill', 'lake', 'leaf', 'meadow',
  'moon', 'mountain', 'night', 'pine', 'rain', 'river', 'sea', 'shadow', 'sky', 'snow',
  'star', 'stone', 'sun', 'surf', 'thunder', 'tree', 'violet', 'water', 'wave', 'wind',
];

function pick(list: readonly string[]): string {
  return list[randomInt(list.length)] ?? 'app';
}

/** Heroku-style `adjective-noun-12345`; always satisfies the app-name rule. */
export function generateAppName(): string {
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${String(randomInt(10000, 100000))}`;
}
