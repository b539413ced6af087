/**
 * How every process starts, in both drivers: bash sources the slug's `.profile.d/*.sh`
 * (after the config vars are in the environment, as on Heroku), then replaces itself
 * with `bash -c COMMAND`. The Procfile command arrives as an argument (`$0`), never
 * pasted into this script, so nothing in it is interpreted twice.
 */
export const PROFILE_WRAPPER = 'for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done; exec bash -c "$0"';

/** Arguments for `bash`: the fixed wrapper and the command as its `$0`. */
export function profileWrapperArgs(command: string): string[] {
  return ['-c', PROFILE_WRAPPER, command];
}

/**
 * The same start, for a process started before it is given anything to run (a local
 * sandbox made ahead, see spare-app-dirs.ts): it waits on its stdin for the environment
 * as NUL-terminated `KEY=VALUE` records, an empty record, then the command, also
 * NUL-terminated. Each record is exported as one word (`export -- "$kv"`: nothing in it is
 * expanded); one bash can refuse (a read-only name such as UID), as the environment it
 * would have inherited it ignores. Before reading it says it is ready with a byte on fd 3
 * (a pipe to paasd), since until then bwrap has yet to bind the app dir by its path.
 * Then the profile and the command exactly as
 * PROFILE_WRAPPER runs them, with stdin from /dev/null as a process has otherwise. An end
 * of input before the command (paasd died, or dropped the spare) runs nothing.
 */
export const WAITING_PROFILE_WRAPPER = [
  // Its sandbox is made (the app dir bound, the working dir entered): the spare may be handed out.
  'printf 1 >&3; exec 3>&-',
  `while IFS= read -r -d '' kv && [ -n "$kv" ]; do export -- "$kv" 2>/dev/null; done`,
  `IFS= read -r -d '' cmd || exit 0`,
  'unset kv',
  'for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done',
  'exec bash -c "$cmd" </dev/null',
].join('\n');

/** What WAITING_PROFILE_WRAPPER reads: the environment and the command. */
export function waitingInput(env: Readonly<Record<string, string | undefined>>, command: string): Buffer {
  const records = Object.entries(env).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}\0`]));
  return Buffer.from(`${records.join('')}\0${command}\0`);
}
