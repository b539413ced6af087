import { type PaasError, invalidParams } from './errors.js';

/** Process type → command, in the order the Procfile declares them. */
export type ProcessTypes = Readonly<Record<string, string>>;

/**
 * Process types become part of container names, hostnames and `DYNO` values: lowercase,
 * DNS-label sized, and never starting with a dash (which a command line would take
 * for an option).
 */
export const PROCESS_TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const PROCESS_TYPE_MAX_LENGTH = 63;
/** How many process types one app may declare (Procfile and buildpack defaults together). */
export const MAX_PROCESS_TYPES = 50;

export const PROCESS_TYPE_RULE =
  'a process type holds only lowercase letters, digits, dashes and underscores, starts with a letter or digit, has at least one letter and at most 63 characters';

/** Why a name is not a process type, or undefined when it is one. */
export function checkProcessType(name: string): string | undefined {
  if (!PROCESS_TYPE_PATTERN.test(name)) return PROCESS_TYPE_RULE;
  // An all-digit name would be reordered by JavaScript objects and makes dynos like `1.1`.
  if (!/[a-z]/.test(name)) return PROCESS_TYPE_RULE;
  return undefined;
}

function lineError(lineNumber: number, problem: string, fix: string): PaasError {
  return invalidParams(`Procfile line ${String(lineNumber)}: ${problem}. ${fix}`);
}

function show(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * Parses a Procfile the way Heroku does: one `type: command` per line, `#` comments
 * and blank lines ignored. Refuses, naming the line and the fix, a line that is not
 * `type: command`, an empty command, an odd type name and a type declared twice.
 */
export function parseProcfile(text: string): ProcessTypes {
  const types: Record<string, string> = {};
  const declaredOn = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon === -1) {
      throw lineError(lineNumber, `${show(line)} is not a process declaration`, 'Write it as `type: command`, e.g. `web: npm start`.');
    }
    const name = line.slice(0, colon).trim();
    const command = line.slice(colon + 1).trim();
    const nameProblem = checkProcessType(name);
    if (nameProblem !== undefined) {
      throw lineError(lineNumber, `${show(name)} is not a valid process type (${PROCESS_TYPE_RULE})`, 'Rename it, e.g. `web` or `worker`.');
    }
    if (command === '') {
      throw lineError(lineNumber, `process type ${name} has no command`, `Add the command after the colon, e.g. \`${name}: npm start\`, or remove the line.`);
    }
    const earlier = declaredOn.get(name);
    if (earlier !== undefined) {
      throw lineError(lineNumber, `process type ${name} is already declared on line ${String(earlier)}`, 'Keep one declaration per type and remove the other.');
    }
    if (declaredOn.size >= MAX_PROCESS_TYPES) {
      throw lineError(lineNumber, `the Procfile declares more than ${String(MAX_PROCESS_TYPES)} process types`, `Keep at most ${String(MAX_PROCESS_TYPES)}: run related work in one process type.`);
    }
    declaredOn.set(name, lineNumber);
    types[name] = command;
  });
  return types;
}

/** Serializes process types back into Procfile text (one `type: command` line each). */
export function formatProcfile(types: ProcessTypes): string {
  return Object.entries(types)
    .map(([name, command]) => `${name}: ${command}\n`)
    .join('');
}
