import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CliError } from './cli-error.js';
import { countSourceFiles, listSourceFiles, parseGitFileList, selectGitFiles, tarInvocation } from './source-files.js';
import type { SourceFiles } from './source-files.js';
import { startSourceTarball } from './source-tarball.js';

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'pipe' });
}

/** Packs with the real tar and lists the archive's files, as paasd would unpack them. */
async function packedNames(dir: string, source: SourceFiles): Promise<string[]> {
  const tarball = startSourceTarball(dir, source);
  const chunks: Buffer[] = [];
  for await (const chunk of tarball.stream) chunks.push(Buffer.from(chunk));
  const listing = execFileSync('tar', ['-tzf', '-'], { input: Buffer.concat(chunks), encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((name) => name !== '' && !name.endsWith('/'))
    .map((name) => name.replace(/^\.\//, ''))
    .sort();
}

describe('tarInvocation', () => {
  it('feeds a git file list on stdin, NUL-separated, each name anchored with ./', () => {
    const { args, stdin } = tarInvocation('/src/app', { kind: 'git', files: ['index.js', '--checkpoint-action=exec=x', '-C'] });
    assert.deepEqual(args, ['-czf', '-', '-C', '/src/app', '--null', '-T', '-']);
    assert.equal(stdin, './index.js\0./--checkpoint-action=exec=x\0./-C\0');
  });

  it('packs a whole plain directory but .git and node_modules', () => {
    const { args, stdin } = tarInvocation('/src/app', { kind: 'plain', count: 3 });
    assert.deepEqual(args, ['--exclude=.git', '--exclude=node_modules', '-czf', '-', '-C', '/src/app', '.']);
    assert.equal(stdin, undefined);
  });
});

describe('git file lists', () => {
  it('splits -z output and drops the trailing empty name', () => {
    assert.deepEqual(parseGitFileList('a.js\0dir/b c.txt\0'), ['a.js', 'dir/b c.txt']);
    assert.deepEqual(parseGitFileList(''), []);
  });

  it('leaves out files deleted from the work tree, and names each file once', () => {
    assert.deepEqual(selectGitFiles(['a', 'b', 'a', 'c'], ['b']), ['a', 'c']);
  });
});

describe('listSourceFiles', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'paas-source-files-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('in a git work tree takes what git would commit, uncommitted changes in, ignored files out', async () => {
    const repo = join(root, 'repo');
    await writeTree(repo, {
      '.gitignore': 'node_modules/\n*.log\n',
      'index.js': 'v1',
      'lib/util.js': 'u',
      'gone.js': 'g',
      'node_modules/dep/index.js': 'd',
      'lib/node_modules/x.js': 'x',
    });
    git(repo, 'init', '--quiet');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'first');
    await writeTree(repo, { 'index.js': 'v2, not committed', 'new.js': 'untracked', 'debug.log': 'ignored' });
    await rm(join(repo, 'gone.js'));
    const source = await listSourceFiles(repo);
    assert.equal(source.kind, 'git');
    const expected = ['.gitignore', 'index.js', 'lib/util.js', 'new.js'];
    assert.deepEqual([...(source.kind === 'git' ? source.files : [])].sort(), expected);
    assert.equal(countSourceFiles(source), 4);
    assert.deepEqual(await packedNames(repo, source), expected);
  });

  it('in a subdirectory of a work tree takes only that subdirectory, relative to it', async () => {
    const sub = join(root, 'repo', 'lib');
    const source = await listSourceFiles(sub);
    assert.deepEqual(source, { kind: 'git', files: ['util.js'] });
    assert.deepEqual(await packedNames(sub, source), ['util.js']);
  });

  it('outside git packs the whole directory but .git and node_modules at any depth', async () => {
    const plain = join(root, 'plain');
    await writeTree(plain, {
      'index.js': 'i',
      'lib/a.js': 'a',
      'lib/node_modules/dep.js': 'd',
      'node_modules/dep/index.js': 'd',
      '.git': 'a stray .git file',
      '.env': 'A=1',
    });
    await symlink('lib', join(plain, 'link-to-lib'));
    const source = await listSourceFiles(plain);
    assert.deepEqual(source, { kind: 'plain', count: 4 });
    assert.deepEqual(await packedNames(plain, source), ['.env', 'index.js', 'lib/a.js', 'link-to-lib']);
  });

  it('reports a tar that fails, with what tar said', async () => {
    const plain = join(root, 'plain');
    const tarball = startSourceTarball(plain, { kind: 'git', files: ['index.js', 'missing.js'] });
    const drain = async (): Promise<void> => {
      for await (const chunk of tarball.stream) assert.ok(chunk.length > 0);
    };
    const error = await drain().catch((e: unknown) => e);
    assert.ok(error instanceof CliError);
    assert.match(error.message, /^tar could not pack .*plain \(it exited with status 2\), so nothing was deployed:\n.*missing\.js/);
  });
});
