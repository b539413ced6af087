/**
 * ~/.netrc as curl and git read it: `machine HOST login USER password SECRET`, plus
 * `default` and `macdef` entries. Edits touch only the one entry they change, so
 * other machines, comments and layout stay byte for byte as they were.
 */
export interface NetrcEntry {
  /** undefined for the `default` entry. */
  readonly machine: string | undefined;
  readonly login?: string;
  readonly password?: string;
  /** Where the entry's text starts and ends in the file. */
  readonly start: number;
  readonly end: number;
}

interface Token {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const VALUED = new Set(['login', 'password', 'account', 'macdef']);

/** Splits netrc text into tokens; `#` comments run to the end of the line; `"…"` quotes allowed. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /#[^\n]*|"((?:[^"\\]|\\.)*)"|[^\s"]+/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].startsWith('#')) continue;
    const value = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[0];
    tokens.push({ value, start: match.index, end: match.index + match[0].length });
    if (value === 'macdef' && match[1] === undefined) {
      // the macro's name, then its body up to the next blank line, form one token
      const blank = text.indexOf('\n\n', pattern.lastIndex);
      const bodyEnd = blank === -1 ? text.length : blank + 1;
      const name = /[ \t]*(\S*)/y;
      name.lastIndex = pattern.lastIndex;
      const found = name.exec(text);
      tokens.push({ value: found?.[1] ?? '', start: pattern.lastIndex, end: bodyEnd });
      pattern.lastIndex = bodyEnd;
    }
  }
  return tokens;
}

type Draft = { machine: string | undefined; login?: string; password?: string; start: number; end: number };

export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  let current: Draft | undefined;
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as Token;
    if (token.value === 'machine' || token.value === 'default') {
      if (current) entries.push(current);
      const name = token.value === 'machine' ? tokens[(i += 1)] : undefined;
      current = { machine: name?.value, start: token.start, end: name?.end ?? token.end };
      continue;
    }
    if (!current) continue; // stray tokens before any entry are not ours to judge
    const argument = VALUED.has(token.value) ? tokens[i + 1] : undefined;
    if (argument) {
      i += 1;
      if (token.value === 'login' || token.value === 'password') current[token.value] = argument.value;
    }
    current.end = (argument ?? token).end;
  }
  if (current) entries.push(current);
  return entries;
}

export function findNetrcEntry(text: string, machine: string): NetrcEntry | undefined {
  return parseNetrc(text).find((entry) => entry.machine === machine);
}

export interface NetrcCredentials {
  readonly machine: string;
  readonly login: string;
  readonly password: string;
}

export function formatNetrcEntry({ machine, login, password }: NetrcCredentials): string {
  for (const [name, value] of Object.entries({ machine, login, password })) {
    if (value === '' || /[\s"#]/.test(value)) {
      throw new Error(`A netrc ${name} cannot be empty or hold spaces, quotes or #.`);
    }
  }
  return `machine ${machine}\n  login ${login}\n  password ${password}`;
}

/** Replaces the entry for `credentials.machine`, or adds one before any `default` entry. */
export function upsertNetrcEntry(text: string, credentials: NetrcCredentials): string {
  const entry = formatNetrcEntry(credentials);
  const entries = parseNetrc(text);
  const existing = entries.find((e) => e.machine === credentials.machine);
  if (existing) return text.slice(0, existing.start) + entry + text.slice(existing.end);
  // curl stops at `default`, so a new machine must come before it to be found
  const fallback = entries.find((e) => e.machine === undefined);
  if (fallback) return `${text.slice(0, fallback.start)}${entry}\n${text.slice(fallback.start)}`;
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${separator}${entry}\n`;
}

/** Removes every entry for `machine` along with the rest of its last line. */
export function removeNetrcEntry(text: string, machine: string): string {
  const doomed = parseNetrc(text).filter((entry) => entry.machine === machine);
  let result = text;
  for (const entry of doomed.reverse()) {
    const lineEnd = /[ \t]*\n?/y;
    lineEnd.lastIndex = entry.end;
    lineEnd.exec(result);
    result = result.slice(0, entry.start) + result.slice(lineEnd.lastIndex);
  }
  return result;
}
