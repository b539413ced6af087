import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { CliError } from './cli-error.js';
import { isInsideWorkTree } from './git-remote.js';

/**
 * What `paas deploy` uploads from a directory. Inside a git work tree: the files git
 * knows or would add (tracked, plus untracked ones .gitignore does not exclude), as
 * they are on disk, so uncommitted changes go in and node_modules stays out.
 * Elsewhere: the whole directory but for `.git` and `node_modules`.
 */
export type SourceFiles =
  | { readonly kind: 'git'; readonly files: readonly string[] }
  | { readonly kind: 'plain'; readonly count: number };

/** Names left out of a directory outside git, at any depth (tar's `--exclude` matches any path component). */
export const PLAIN_EXCLUDES: readonly string[] = ['.git', 'node_modules'];

/** How to run tar for a source directory: its arguments and what to write to its stdin. */
export interface TarInvocation {
  readonly args: readonly string[];
  readonly stdin: string | undefined;
}

/**
 * The tar command line, gzipped tar on stdout. A git file list goes in on stdin,
 * NUL-separated; each name gets a `./` prefix so that a file named like an option
 * (`--checkpoint-action=…`) or tar's `-C` stays a file name. `-C DIR` has to come
 * before `-T -`: GNU tar applies `-C` only to the names that follow it.
 */
export function tarInvocation(dir: string, source: SourceFiles): TarInvocation {
  if (source.kind === 'git') {
    return {
      args: ['-czf', '-', '-C', dir, '--null', '-T', '-'],
      stdin: source.files.map((file) => `./${file}\0`).join(''),
    };
  }
  return { args: [...PLAIN_EXCLUDES.map((name) => `--exclude=${name}`), '-czf', '-', '-C', dir, '.'], stdin: undefined };
}

export function countSourceFiles(source: SourceFiles): number {
  return source.kind === 'git' ? source.files.length : source.count;
}

/** `git ls-files -z` output → paths; empty names (the trailing NUL) dropped. */
export function parseGitFileList(output: string): string[] {
  return output.split('\0').filter((name) => name !== '');
}

/** The git list minus the files deleted from the work tree but still in the index, each once. */
export function selectGitFiles(listed: readonly string[], deleted: readonly string[]): string[] {
  const gone = new Set(deleted);
  return [...new Set(listed)].filter((file) => !gone.has(file));
}

export async function listSourceFiles(dir: string): Promise<SourceFiles> {
  if (await isInsideWorkTree(dir)) return { kind: 'git', files: await listGitFiles(dir) };
  return { kind: 'plain', count: await countPlainFiles(dir) };
}

async function listGitFiles(dir: string): Promise<string[]> {
  const listed = await gitFileList(dir, ['--cached', '--others', '--exclude-standard']);
  const deleted = await gitFileList(dir, ['--deleted']);
  return selectGitFiles(listed, deleted);
}

/** `git ls-files -z …` in `dir`: paths relative to `dir`, limited to it. */
function gitFileList(dir: string, flags: readonly string[]): Promise<string[]> {
  const args = ['ls-files', '-z', ...flags];
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim() || error.message;
        reject(new CliError(`git ${args.join(' ')} failed in ${dir}, so the files to deploy are unknown:\n${detail}`, { cause: error }));
        return;
      }
      resolve(parseGitFileList(stdout));
    });
  });
}

/** Counts what tar will pack: everything but directories, not following links, minus the excludes. */
async function countPlainFiles(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new CliError(`Could not read ${dir}: ${(error as Error).message}`, { cause: error });
  }
  let count = 0;
  for (const entry of entries) {
    if (PLAIN_EXCLUDES.includes(entry.name)) continue;
    count += entry.isDirectory() ? await countPlainFiles(join(dir, entry.name)) : 1;
  }
  return count;
}
