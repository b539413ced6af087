import { PaasError } from './errors.js';

/**
 * Heroku Platform API paging: `Range: version ..; max=10, order=desc`.
 * `]5..` starts after 5 (exclusive), `5..` at 5; bounds follow the sort order, so
 * with `order=desc` the page holds the versions below the start.
 */
export interface PageRange {
  readonly field: string;
  readonly start?: string;
  readonly startExclusive: boolean;
  readonly end?: string;
  readonly max: number;
  readonly order: 'asc' | 'desc';
}

export interface RangeRules {
  readonly fields: readonly string[];
  readonly defaultOrder: 'asc' | 'desc';
  readonly defaultMax?: number;
}

export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;

const RANGE_PATTERN = /^\s*([a-z_]+)\s+(\]?)([^.;\s]*)\.\.([^;\s]*)\s*(?:;\s*(.*))?$/;

function badRange(header: string, rules: RangeRules): PaasError {
  return new PaasError(
    'bad_request',
    `Invalid Range header ${JSON.stringify(header.slice(0, 100))}: expected e.g. "${rules.fields[0] ?? 'id'} ..; max=${String(DEFAULT_PAGE_SIZE)}, order=${rules.defaultOrder}" with a field of ${rules.fields.join(', ')}.`,
  );
}

export function parseRange(header: string | undefined, rules: RangeRules): PageRange {
  const defaults: PageRange = {
    field: rules.fields[0] ?? 'id',
    startExclusive: false,
    max: rules.defaultMax ?? DEFAULT_PAGE_SIZE,
    order: rules.defaultOrder,
  };
  if (header === undefined || header.trim() === '') return defaults;
  const match = RANGE_PATTERN.exec(header);
  if (!match) throw badRange(header, rules);
  const [, field = '', exclusive, start, end, options] = match;
  if (!rules.fields.includes(field)) throw badRange(header, rules);
  let max = defaults.max;
  let order = defaults.order;
  for (const option of (options ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name, value = ''] = option.split('=').map((part) => part.trim());
    if (name === 'max' && /^\d+$/.test(value) && Number(value) >= 1) {
      max = Math.min(Number(value), MAX_PAGE_SIZE);
    } else if (name === 'order' && (value === 'asc' || value === 'desc')) {
      order = value;
    } else {
      throw badRange(header, rules);
    }
  }
  return {
    field,
    startExclusive: exclusive === ']',
    max,
    order,
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
  };
}

/** The `Next-Range` header for the page that follows one ending at `last`. */
export function formatNextRange(range: PageRange, last: string): string {
  return `${range.field} ]${last}..; max=${String(range.max)}, order=${range.order}`;
}

/** Cuts one page out of items already sorted in `range.order` by `keyOf`. */
export function takePage<T>(
  items: readonly T[],
  range: PageRange,
  keyOf: (item: T) => string | number,
): { page: T[]; nextRange?: string } {
  const compare = (a: string | number, b: string | number): number => {
    const diff = typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
    return range.order === 'asc' ? diff : -diff;
  };
  const parse = (value: string): string | number => (typeof keyOf(items[0] as T) === 'number' ? Number(value) : value);
  const within = items.filter((item) => {
    const key = keyOf(item);
    if (range.start !== undefined) {
      const c = compare(key, parse(range.start));
      if (c < 0 || (c === 0 && range.startExclusive)) return false;
    }
    if (range.end !== undefined && compare(key, parse(range.end)) > 0) return false;
    return true;
  });
  const page = within.slice(0, range.max);
  const last = page.at(-1);
  if (within.length > range.max && last !== undefined) {
    return { page, nextRange: formatNextRange(range, String(keyOf(last))) };
  }
  return { page };
}
