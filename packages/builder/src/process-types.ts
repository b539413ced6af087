import { MAX_PROCESS_TYPES, PROCESS_TYPE_RULE, type ProcessTypes, checkProcessType } from '@paas/core';

/**
 * Reads `bin/release` output: YAML whose `default_process_types` maps types to commands.
 * The YAML parser is loaded on the first build that needs it, not with paasd (some 9 MB).
 */
export async function parseReleaseOutput(text: string): Promise<ProcessTypes> {
  const { parse } = await import('yaml');
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`its output is not YAML (${(error as Error).message.split('\n')[0] ?? 'parse error'})`, { cause: error });
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) throw new Error('its output is not a YAML mapping');
  const defaults = (document as Record<string, unknown>)['default_process_types'];
  if (defaults === null || defaults === undefined) return {};
  if (typeof defaults !== 'object' || Array.isArray(defaults)) throw new Error('default_process_types is not a mapping');
  const entries = Object.entries(defaults as Record<string, unknown>);
  if (entries.length > MAX_PROCESS_TYPES) {
    throw new Error(`default_process_types declares ${String(entries.length)} types, more than ${String(MAX_PROCESS_TYPES)}`);
  }
  const types: Record<string, string> = {};
  for (const [name, command] of entries) {
    if (checkProcessType(name) !== undefined) {
      throw new Error(`default_process_types has an invalid type name ${JSON.stringify(name.slice(0, 70))} (${PROCESS_TYPE_RULE})`);
    }
    if (typeof command !== 'string' || command.trim() === '') throw new Error(`default_process_types.${name} is not a command`);
    types[name] = command.trim();
  }
  return types;
}

/**
 * The slug's process types: the Procfile's, in its order, then the buildpacks'
 * defaults for types the Procfile does not declare (a later buildpack's default
 * replaces an earlier one's). The Procfile always wins.
 */
export function mergeProcessTypes(procfile: ProcessTypes | undefined, defaults: readonly ProcessTypes[]): ProcessTypes {
  const merged: Record<string, string> = { ...(procfile ?? {}) };
  const fromPacks: Record<string, string> = Object.assign({}, ...defaults) as Record<string, string>;
  for (const [name, command] of Object.entries(fromPacks)) {
    if (!Object.hasOwn(merged, name)) merged[name] = command;
  }
  return merged;
}
