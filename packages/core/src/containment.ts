/**
 * How app code (processes, one-offs, build steps) is contained on the host when it does
 * not run in a container: see "Containing app code" in docs/ARCHITECTURE.md.
 *
 * - An app user: the numeric uid/gid every process of one app runs as. It needs no entry
 *   in /etc/passwd. Without one (paasd is not root), processes run as paasd's own user.
 * - A sandbox: bubblewrap gives the process its own mount and pid namespaces, the host's
 *   filesystem read-only, `hidden` directories replaced by empty ones and only the
 *   `writable` directories bound back in. Networking stays shared, so `$PORT` binds on
 *   the host's 127.0.0.1 where the router reaches it.
 */
export interface AppUser {
  readonly uid: number;
  readonly gid: number;
}

export interface Sandbox {
  /** The bubblewrap binary. */
  readonly bwrap: string;
  /** Directories the process must not see (paasd's data dir): masked by an empty tmpfs. */
  readonly hidden: readonly string[];
}

export interface ContainedCommand {
  readonly command: string;
  readonly args: string[];
  /** The `uid`/`gid` spawn options: set when the process itself changes user (no sandbox). */
  readonly user?: AppUser;
}

/**
 * bwrap's outer process stays in the process group and would die of the SIGTERM meant for
 * the app, reporting that instead of the app's exit. It ignores SIGTERM (dispositions set
 * to "ignore" survive exec); `env --default-signal` gives the app the default back, so
 * the app's own handler (or death) decides, and its exit status comes out of bwrap.
 * `env --ignore-signal` (coreutils 8.31+) sets it rather than a shell's `trap "" TERM`:
 * one small exec fewer on every process start.
 */
const IGNORE_TERM = ['--ignore-signal=TERM'];

/**
 * The directories between a tmpfs (a hidden dir, /tmp) and a writable dir bound inside it.
 * bwrap would make them 0700 root: the app user could not pass through to its own dir.
 */
export function passableParents(writable: readonly string[], tmpfs: readonly string[]): string[] {
  const parents = new Set<string>();
  for (const dir of writable) {
    const under = tmpfs.filter((top) => dir.startsWith(`${top}/`)).sort((a, b) => b.length - a.length)[0];
    if (under === undefined) continue;
    const steps = dir.slice(under.length + 1).split('/').slice(0, -1);
    steps.forEach((_, i) => parents.add(`${under}/${steps.slice(0, i + 1).join('/')}`));
  }
  return [...parents];
}

/**
 * The command line that runs `command args` as `user` inside `sandbox` (either optional).
 * `writable` are the directories the process writes (its app dir; a build's dirs); `cwd`
 * is where it starts. A pure function: the caller spawns the result with an argument array.
 */
export function containedCommand(
  command: string,
  args: readonly string[],
  options: { user?: AppUser | undefined; sandbox?: Sandbox | undefined; writable: readonly string[]; cwd: string },
): ContainedCommand {
  const { user, sandbox } = options;
  if (!sandbox) return user ? { command, args: [...args], user } : { command, args: [...args] };
  const bwrap = [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    // A private /tmp the app user can write, as on Heroku (yarn run, for one, makes its
    // shims there); sticky, so nothing else it holds is the app's to remove.
    '--perms', '1777', '--tmpfs', '/tmp',
    // 0711: the process can pass through to the directories bound back, but list nothing.
    ...sandbox.hidden.flatMap((dir) => ['--perms', '0711', '--tmpfs', dir]),
    ...passableParents(options.writable, [...sandbox.hidden, '/tmp']).flatMap((dir) => ['--perms', '0711', '--dir', dir]),
    ...options.writable.flatMap((dir) => ['--bind', dir, dir]),
    '--chdir', options.cwd,
  ];
  // bwrap runs as root (it must reach the hidden dirs to bind from them) and setpriv
  // drops to the app user inside, with no groups, capabilities or way back.
  const drop = user
    ? ['setpriv', `--reuid=${String(user.uid)}`, `--regid=${String(user.gid)}`, '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--']
    : [];
  return {
    command: 'env',
    args: [...IGNORE_TERM, sandbox.bwrap, ...bwrap, '--', 'env', '--default-signal=TERM', ...drop, command, ...args],
  };
}
