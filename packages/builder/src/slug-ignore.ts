/**
 * `.slugignore`, as on Heroku: files of the pushed source that never reach the build nor
 * the slug (design files, test data, docs). Its lines are `.gitignore` patterns without
 * negation: `#` comments, `*`, `?`, `[…]` and `**`; a pattern with a `/` before its end is
 * anchored at the app's root, one without matches a name at any depth; a trailing `/`
 * matches directories only. The matching entries are removed before the first buildpack
 * runs, so a build cannot depend on them either.
 */
import { lstat, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface SlugIgnoreRule {
  readonly regex: RegExp;
  /** Matched against the whole path from the root (else against each name). */
  readonly anchored: boolean;
  readonly directoriesOnly: boolean;
}

/** One glob (no `/` handling beyond `**`) as a regular expression body. */
function globBody(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` is any number of directories (none included); `**` at the end, anything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
      } else {
        const inner = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${inner}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += (glob[i + 1] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 1;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return out;
}

/** The rules of a `.slugignore` text; blank lines, comments and negations (unsupported, as on Heroku) are left out. */
export function parseSlugIgnore(text: string): SlugIgnoreRule[] {
  const rules: SlugIgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const directoriesOnly = line.endsWith('/');
    line = line.replace(/\/+$/, '');
    const anchored = line.includes('/');
    line = line.replace(/^\/+/, '');
    if (line === '') continue;
    try {
      rules.push({ regex: new RegExp(`^${globBody(line)}$`), anchored, directoriesOnly });
    } catch {
      // A character class the RegExp engine refuses: the pattern matches nothing, like git's.
    }
  }
  return rules;
}

/** Whether `path` (relative, `/`-separated) is ignored by `rules`. */
export function slugIgnored(rules: readonly SlugIgnoreRule[], path: string, isDirectory: boolean): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return rules.some((rule) => (!rule.directoriesOnly || isDirectory) && rule.regex.test(rule.anchored ? path : name));
}

/**
 * Removes what `appDir/.slugignore` names; returns how many files (and links) went,
 * directories' contents included. No `.slugignore`: nothing is read beyond that.
 */
export async function applySlugIgnore(appDir: string): Promise<number> {
  const text = await readFile(join(appDir, '.slugignore'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'EISDIR') return undefined;
    throw error;
  });
  if (text === undefined) return 0;
  const rules = parseSlugIgnore(text);
  if (rules.length === 0) return 0;
  let removed = 0;
  const countFiles = async (dir: string): Promise<number> => {
    let files = 0;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      files += entry.isDirectory() ? await countFiles(join(dir, entry.name)) : 1;
    }
    return files;
  };
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await readdir(join(appDir, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const full = join(appDir, path);
      // A symlink to a directory is matched as a file, as git does, and never followed.
      const isDirectory = entry.isDirectory() && !(await lstat(full)).isSymbolicLink();
      if (slugIgnored(rules, path, isDirectory)) {
        removed += isDirectory ? await countFiles(full) : 1;
        await rm(full, { recursive: true, force: true });
      } else if (isDirectory) {
        await walk(path);
      }
    }
  };
  await walk('');
  return removed;
}
