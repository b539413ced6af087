import { randomInt } from 'node:crypto';

import { invalidParams } from './errors.js';

/** The same rule guards URLs, file paths, container labels and hostnames. */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{1,29}$/;

export const APP_NAME_RULE =
  'a name starts with a lowercase letter and has 2 to 30 characters: lowercase letters, digits and dashes';

export function isAppName(value: unknown): value is string {
  return typeof value === 'string' && APP_NAME_PATTERN.test(value);
}

export function assertAppName(value: unknown): string {
  if (isAppName(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  throw invalidParams(`Invalid app name ${shown}: ${APP_NAME_RULE}.`);
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
