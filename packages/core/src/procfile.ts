import { type PaasError, invalidParams } from './errors.js';

/** Process type → command, in the order the Procfile declares them. */
export type ProcessTypes = Readonly<Record<string, string>>;

/** Heroku's rule for a Procfile line is `^([A-Za-z0-9_-]+):\s*(.+)$`; we also allow spaces before the colon. */
export const PROCESS_TYPE_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Process types become part of container names and `DYNO` values: keep them DNS-label sized. */
export const PROCESS_TYPE_MAX_LENGTH = 63;

export const PROCESS_TYPE_RULE =
  'a process type holds only letters, digits, dashes and underscores, at least one letter, at most 63 characters';

/** Why a name is not a process type, or undefined when it is one. */
export function checkProcessType(name: string): string | undefined {
  if (!PROCESS_TYPE_PATTERN.test(name) || name.length > PROCESS_TYPE_MAX_LENGTH) return PROCESS_TYPE_RULE;
  // An all-digit name would be reordered by JavaScript objects and makes dynos like `1.1`.
  if (!/[A-Za-z]/.test(name)) return PROCESS_TYPE_RULE;
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
