import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import { createLocalDriver, findBubblewrap, unmountUnder } from '../src/index.js';
import { makeContractSlug } from './contract-app.js';
import { isOutput, recordEvents } from './event-recorder.js';

const USERS: Readonly<Record<string, number>> = { 'local-app': 200_001, 'other-app': 200_002 };
const root = process.getuid?.() === 0;
const bwrap = findBubblewrap();

/**
 * This test process plays paasd: its environ stands for paasd's (PAAS_API_TOKEN), and
 * `paas.db` and `token` sit in its data dir, of which the driver's dir is a part.
 */
for (const mode of ['app user', 'app user in a sandbox'] as const) {
  const skip = !root ? 'running processes as another user needs root' : mode.endsWith('sandbox') && !bwrap ? 'bubblewrap cannot run here' : false;
  test(`local runtime, ${mode}: a one-off cannot read paasd's environment, database, token or another app's files`, { skip }, async (t) => {
    const platformDir = mkdtempSync(join(tmpdir(), 'paas-contain-'));
    const workDir = mkdtempSync(join(tmpdir(), 'paas-contain-work-'));
    // Without a sandbox an app user reaches its app dir by path: paasd's data dir is then
    // passable (0711) with everything in it but the driver's dir 0700 (see paasd's data-dir.ts).
    if (mode === 'app user') chmodSync(platformDir, 0o711);
    const dataDir = join(platformDir, 'local');
    mkdirSync(dataDir, { mode: 0o711 });
    writeFileSync(join(platformDir, 'paas.db'), 'SQLite format 3', { mode: 0o600 });
    writeFileSync(join(platformDir, 'token'), 'secret', { mode: 0o600 });
    const driver = createLocalDriver({
      dataDir,
      userOf: (app) => ({ uid: USERS[app] ?? 0, gid: USERS[app] ?? 0 }),
      ...(mode.endsWith('sandbox') && bwrap ? { sandbox: { bwrap, hidden: [platformDir] } } : {}),
    });
    const slug = makeContractSlug(workDir);
    const events = recordEvents(driver);
    const other = await driver.start({ app: 'other-app', release: 1, type: 'worker', index: 1, slug, command: 'echo private > mine; echo written; exec sleep 60', env: {}, memoryMb: 64 });
    t.after(async () => {
      events.stop();
      await driver.stop(other.id, { graceMs: 0 });
      await driver.close();
      await unmountUnder(platformDir);
      rmSync(platformDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    });
    await events.waitFor('the other app writing its file', isOutput(other.id, 'written'));
    const otherFile = join(dataDir, 'processes', other.id, 'app', 'mine');
    assert.equal(statSync(otherFile).uid, USERS['other-app'], "the other app's file is its own user's");

    const targets = [`/proc/${String(process.pid)}/environ`, join(platformDir, 'paas.db'), join(platformDir, 'token'), otherFile];
    const out: Buffer[] = [];
    const stdout = new PassThrough().on('data', (chunk: Buffer) => out.push(chunk));
    const command = 'id -u; echo mine > "$HOME/own-file" && echo wrote-own; IFS=:; for f in $TARGETS; do if cat -- "$f" >/dev/null 2>&1; then echo "read $f"; else echo "denied $f"; fi; done';
    const result = await driver.run(
      { app: 'local-app', release: 1, name: 'run.1', slug, command, env: { TARGETS: targets.join(':') }, memoryMb: 64 },
      { stdout, stderr: new PassThrough() },
    );
    assert.equal(result.exitCode, 0);
    const lines = Buffer.concat(out).toString('utf8').trim().split('\n');
    assert.deepEqual(lines, [String(USERS['local-app']), 'wrote-own', ...targets.map((target) => `denied ${target}`)]);
  });
}
