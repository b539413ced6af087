import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { createHostEnvironment, runBuild, unpackSlug } from '../src/index.js';
import { captureText, writeBuildpack, writeFiles } from './buildpack-fixture.js';
import { tempDir } from './temp-dir.js';

const USER = { uid: 200_003, gid: 200_003 };
const root = process.getuid?.() === 0;
const bwrapWorks = spawnSync('bwrap', ['--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '--', 'true'], { stdio: 'ignore' }).status === 0;

/** This test process plays paasd; `dataDir` is its data dir, holding the database and the build's dirs. */
for (const sandboxed of [false, true]) {
  const skip = !root ? 'running build steps as another user needs root' : sandboxed && !bwrapWorks ? 'bubblewrap cannot run here' : false;
  test(`host builds ${sandboxed ? 'in a sandbox ' : ''}run as the app user, own their dirs and cannot read paasd's data`, { skip }, async () => {
    const dir = await tempDir();
    await chmod(dir, 0o711); // the test's temp dir stands where paasd's data dir's parent would
    const dataDir = join(dir, 'data');
    // Without a sandbox a build step reaches its dirs by path: the data dir is passable.
    await mkdir(dataDir, { mode: sandboxed ? 0o700 : 0o711 });
    await chmod(dataDir, sandboxed ? 0o700 : 0o711);
    await mkdir(join(dataDir, 'tmp'), { mode: 0o711 });
    await writeFile(join(dataDir, 'paas.db'), 'SQLite format 3', { mode: 0o600 });
    const pack = await writeBuildpack(join(dir, 'pack'), {
      compile: [
        'build=$1 cache=$2 env=$3',
        'id -u > "$build/uid.txt"',
        'cat "$env/GREETING" > "$build/greeting.txt"',
        'echo kept > "$cache/kept.txt"',
        'echo home > "$HOME/file" && echo tmp > "$TMPDIR/file"',
        `for f in "${join(dataDir, 'paas.db')}" /proc/${String(process.pid)}/environ; do if cat -- "$f" >/dev/null 2>&1; then echo "read $f"; else echo "denied $f"; fi; done > "$build/reads.txt"`,
      ].join('\n'),
    });
    const app = await writeFiles(join(dir, 'app'), { Procfile: 'web: ./web\n' });
    const output = captureText();
    const cacheDir = join(dataDir, 'cache', 'app');
    const result = await runBuild({
      sourceDir: app,
      buildpacks: [pack],
      cacheDir,
      configVars: { GREETING: 'hello' },
      output: output.stream,
      workRoot: join(dataDir, 'tmp'),
      slugFile: join(dir, 'slug.tgz'),
      environment: createHostEnvironment({ user: USER, ...(sandboxed ? { sandbox: { bwrap: 'bwrap', hidden: [dataDir] } } : {}) }),
    });
    assert.equal(result.status, 'succeeded', output.text());
    const out = join(dir, 'out');
    await unpackSlug(join(dir, 'slug.tgz'), out);
    assert.equal(await readFile(join(out, 'uid.txt'), 'utf8'), `${String(USER.uid)}\n`);
    assert.equal(await readFile(join(out, 'greeting.txt'), 'utf8'), 'hello', 'the config var files are readable by the build');
    assert.equal(await readFile(join(out, 'reads.txt'), 'utf8'), `denied ${join(dataDir, 'paas.db')}\ndenied /proc/${String(process.pid)}/environ\n`);
    assert.equal((await stat(join(cacheDir, 'kept.txt'))).uid, USER.uid, 'the cache is the app user’s');
  });
}
