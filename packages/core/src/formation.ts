import { invalidParams } from './errors.js';
import { PROCESS_TYPE_RULE, checkProcessType } from './procfile.js';

export const MAX_QUANTITY = 100;

/** Process sizes: memory limits in MiB. `standard` is the default for every type. */
export const PROCESS_SIZES = {
  eco: 256,
  basic: 512,
  standard: 512,
  'standard-2x': 1024,
  'performance-m': 2560,
  'performance-l': 14336,
} as const satisfies Record<string, number>;

export type ProcessSize = keyof typeof PROCESS_SIZES;
export const DEFAULT_SIZE: ProcessSize = 'standard';
export const PROCESS_SIZE_NAMES = Object.keys(PROCESS_SIZES) as ProcessSize[];

export function isProcessSize(value: unknown): value is ProcessSize {
  return typeof value === 'string' && Object.hasOwn(PROCESS_SIZES, value);
}

/** Heroku's other names for sizes (what `heroku ps:scale web=1:standard-1x` sends), by lowercase name. */
export const PROCESS_SIZE_ALIASES: Readonly<Record<string, ProcessSize>> = {
  free: 'eco',
  hobby: 'eco',
  '1x': 'standard',
  'standard-1x': 'standard',
  '2x': 'standard-2x',
  px: 'performance-l',
  performance: 'performance-m',
  'performance-l-ram': 'performance-l',
  'performance-xl': 'performance-l',
  'performance-2xl': 'performance-l',
};

/** A size by its paas name or one of Heroku's (any case), or undefined when neither. */
export function resolveProcessSize(value: string): ProcessSize | undefined {
  const name = value.trim().toLowerCase();
  if (isProcessSize(name)) return name;
  return Object.hasOwn(PROCESS_SIZE_ALIASES, name) ? PROCESS_SIZE_ALIASES[name] : undefined;
}

export interface FormationEntry {
  readonly type: string;
  readonly quantity: number;
  readonly size: ProcessSize;
}

export interface FormationUpdate {
  readonly type: string;
  /** A whole number sets the quantity; a string "+N" or "-N" changes it; "N" sets it. */
  readonly quantity?: number | string;
  readonly size?: string;
}

/** Heroku's rule: `web` starts with one process, every other type with none. */
export function defaultQuantity(type: string): number {
  return type === 'web' ? 1 : 0;
}

const QUANTITY_PATTERN = /^([+-]?)(\d{1,3})$/;

export function resolveQuantity(type: string, current: number, requested: number | string): number {
  let next: number;
  if (typeof requested === 'number') {
    next = requested;
  } else {
    const match = QUANTITY_PATTERN.exec(requested.trim());
    if (!match) {
      throw invalidParams(`Invalid quantity ${JSON.stringify(requested)} for ${type}: use a number like 2, or +1 / -1.`);
    }
    const amount = Number(match[2]);
    next = match[1] === '+' ? current + amount : match[1] === '-' ? current - amount : amount;
  }
  if (!Number.isInteger(next) || next < 0 || next > MAX_QUANTITY) {
    throw invalidParams(
      `Quantity for ${type} would be ${String(next)}: it must be a whole number from 0 to ${String(MAX_QUANTITY)}.`,
    );
  }
  return next;
}

/**
 * The formation an app's current slug implies: every process type it declares, with
 * the stored quantity and size where there is one, else the defaults. Types the
 * slug no longer declares drop out.
 */
export function formationFor(processTypes: readonly string[], stored: readonly FormationEntry[]): FormationEntry[] {
  const byType = new Map(stored.map((entry) => [entry.type, entry]));
  return processTypes
    .filter((type) => type !== 'release')
    .map((type) => byType.get(type) ?? { type, quantity: defaultQuantity(type), size: DEFAULT_SIZE })
    .sort((a, b) => (a.type === 'web' ? -1 : b.type === 'web' ? 1 : a.type < b.type ? -1 : 1));
}

/** Applies updates to a formation; a type the slug does not declare is refused. */
export function applyFormationUpdates(
  current: readonly FormationEntry[],
  updates: readonly FormationUpdate[],
): FormationEntry[] {
  if (updates.length === 0) throw invalidParams('No formation updates given: say which type to scale, e.g. web=2.');
  const next = new Map(current.map((entry) => [entry.type, entry]));
  for (const update of updates) {
    if (checkProcessType(update.type) !== undefined) {
      throw invalidParams(`Invalid process type ${JSON.stringify(update.type.slice(0, 70))}: ${PROCESS_TYPE_RULE}.`);
    }
    const entry = next.get(update.type);
    if (!entry) {
      const known = [...next.keys()];
      throw invalidParams(
        known.length === 0
          ? `No process type ${update.type}: this app has no deployed code yet. Push code first, then scale.`
          : `No process type ${update.type} in the current release: its types are ${known.join(', ')}. Add it to the Procfile and deploy.`,
      );
    }
    const size = update.size === undefined ? entry.size : resolveProcessSize(update.size);
    if (size === undefined) {
      throw invalidParams(`Unknown size ${JSON.stringify(update.size)} for ${update.type}: use one of ${PROCESS_SIZE_NAMES.join(', ')} (or Heroku's standard-1x, 2x, hobby).`);
    }
    next.set(update.type, {
      type: entry.type,
      quantity: update.quantity === undefined ? entry.quantity : resolveQuantity(entry.type, entry.quantity, update.quantity),
      size,
    });
  }
  return [...next.values()];
}
