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
