import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { type ProcessSpec, createLocalDriver, findBubblewrap, unmountUnder } from '../src/index.js';
import { isMountPoint } from '../src/drivers/local/local-app-dir.js';
import { silentLogger } from '../src/drivers/shared/driver-logger.js';
import { COMMANDS, hostileValue, httpGet, makeContractSlug, makeSlug } from './contract-app.js';
import { type DriverHarness, driverContract } from './driver-contract.js';
import { isExit, isOutput, recordEvents } from './event-recorder.js';

driverContract('local', async (): Promise<DriverHarness> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-local-driver-'));
  return {
    driver: createLocalDriver({ dataDir, livenessPollMs: 100 }),
    reopen: () => createLocalDriver({ dataDir, livenessPollMs: 100 }),
    enforcesMemory: false,
    hostPids: true,
    knowsAdoptedExitCodes: false,
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

const bwrap = findBubblewrap();
driverContract('local, as an app user in a sandbox', async (): Promise<DriverHarness | { skip: string }> => {
  if (process.getuid?.() !== 0) return { skip: 'running processes as another user needs root' };
  if (!bwrap) return { skip: 'bubblewrap (bwrap) is not installed or cannot make namespaces here' };
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-local-driver-'));
  const options = { dataDir, livenessPollMs: 100, userOf: () => ({ uid: 200_001, gid: 200_001 }), sandbox: { bwrap, hidden: [dataDir] } };
  return {
    driver: createLocalDriver(options),
    reopen: () => createLocalDriver(options),
    enforcesMemory: false,
    hostPids: false,
    knowsAdoptedExitCodes: false,
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

function setUp(t: { after(fn: () => Promise<void> | void): void }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-local-driver-'));
  const workDir = mkdtempSync(join(tmpdir(), 'paas-local-work-'));
  const driver = createLocalDriver({ dataDir, livenessPollMs: 100 });
  t.after(async () => {
    await driver.close();
    // A fresh instance: the test may have closed its own.
    const cleaner = createLocalDriver({ dataDir });
    for (const info of await cleaner.list()) await cleaner.stop(info.id, { graceMs: 0 });
    await cleaner.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });
  const slug = makeContractSlug(workDir);
  const spec = (command: string, type = 'web'): ProcessSpec => ({
    app: 'local-app',
    release: 1,
    type,
    index: 1,
    slug,
    command,
    env: { DYNO: `${type}.1` },
    memoryMb: 128,
  });
  return { dataDir, workDir, driver, slug, spec };
}

test('prepare unpacks a slug once into slugs-unpacked/<checksum>, atomically', async (t) => {
  const { dataDir, driver, slug } = setUp(t);
  const other = createLocalDriver({ dataDir });
  t.after(() => other.close());
  await Promise.all([driver.prepare(slug), other.prepare(slug), driver.prepare(slug)]);
  const root = join(dataDir, 'slugs-unpacked');
  assert.deepEqual(readdirSync(root), [slug.checksum], 'no scratch directories are left behind');
  assert.match(readFileSync(join(root, slug.checksum, 'server.py'), 'utf8'), /serve_forever/);
});

test('a process has its own app dir as HOME, its record and output files under processes/<id>', async (t) => {
  const { dataDir, driver, slug, spec } = setUp(t);
  const events = recordEvents(driver);
  t.after(() => events.stop());
  const info = await driver.start(spec('echo changed > server.py; echo "home=$HOME path=$PATH"; exec sleep 60'));
  const dir = join(dataDir, 'processes', info.id);
  // The file is written before the line is printed: once the line is seen, both are there.
  await events.waitFor('the first line', isOutput(info.id, 'home='));
  const line = events.events.find(isOutput(info.id, 'home='));
  assert.equal(line?.type === 'output' && line.line.split(' ')[0], `home=${join(dir, 'app')}`);
  const record = JSON.parse(readFileSync(join(dir, 'process.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(record.id, info.id);
  assert.equal(record.port, info.address.port);
  assert.equal(record.name, 'web.1');
  assert.equal(typeof (record.process as { pid: number }).pid, 'number');
  assert.equal(JSON.stringify(record).includes('DYNO'), false, 'the environment (config values) is not stored');
  assert.match(readFileSync(join(dir, 'stdout.log'), 'utf8'), /^home=/);
  assert.equal(readFileSync(join(dir, 'app', 'server.py'), 'utf8'), 'changed\n');
  assert.match(readFileSync(join(dataDir, 'slugs-unpacked', slug.checksum, 'server.py'), 'utf8'), /serve_forever/, 'the unpacked slug is untouched');
  await driver.stop(info.id, { graceMs: 500 });
  // A spare app dir (see spare-app-dirs.ts) may be there meanwhile: it is no process's.
  assert.deepEqual(readdirSync(join(dataDir, 'processes')).filter((name) => !name.startsWith('.spare-')), [], 'stop() removes the process dir');
});

test('long output lines are split at 10,000 bytes', async (t) => {
  const { driver, spec } = setUp(t);
  const events = recordEvents(driver);
  t.after(() => events.stop());
  const info = await driver.start(spec(`python3 -c 'print("x" * 25000); print("end")'`));
  await events.waitFor('the exit', isExit(info.id));
  const lines = events.events.flatMap((event) => (event.type === 'output' && event.id === info.id ? [event.line] : []));
  assert.deepEqual(lines.map((line) => line.length), [10_000, 10_000, 5000, 3]);
});

test('a recorded pid now used by another process is not adopted, nor signalled', async (t) => {
  const { dataDir, driver, spec } = setUp(t);
  const info = await driver.start(spec(COMMANDS.ignoresTerm, 'worker'));
  const file = join(dataDir, 'processes', info.id, 'process.json');
  const record = JSON.parse(readFileSync(file, 'utf8')) as { process: { pid: number; startTime: string } };
  await driver.close();
  writeFileSync(file, JSON.stringify({ ...record, process: { ...record.process, startTime: '1' } }));
  const pid = record.process.pid;
  t.after(() => {
    process.kill(-pid, 'SIGKILL');
  });

  const restarted = createLocalDriver({ dataDir });
  t.after(() => restarted.close());
  const listed = (await restarted.list()).find((entry) => entry.id === info.id);
  assert.equal(listed?.status, 'exited');
  assert.deepEqual(await restarted.stop(info.id, { graceMs: 100 }), { killed: false });
  assert.doesNotThrow(() => process.kill(pid, 0), 'the unrelated process was left alone');
});

test('run() works in a fresh copy of the app that is removed afterwards', async (t) => {
  const { dataDir, driver, slug } = setUp(t);
  const chunks: Buffer[] = [];
  const { PassThrough } = await import('node:stream');
  const stdout = new PassThrough().on('data', (chunk: Buffer) => chunks.push(chunk));
  const result = await driver.run(
    { app: 'local-app', release: 1, name: 'run.1', slug, command: 'ls server.py; touch new-file; echo "port=$PORT"', env: {}, memoryMb: 64 },
    { stdout, stderr: new PassThrough() },
  );
  assert.equal(result.exitCode, 0);
  assert.match(Buffer.concat(chunks).toString(), /^server\.py\nport=[0-9]+\n$/);
  assert.deepEqual(readdirSync(join(dataDir, 'oneoffs')), []);
  assert.deepEqual(readdirSync(join(dataDir, 'slugs-unpacked', slug.checksum)).includes('new-file'), false);
});

test('a slug with a runtime layer: the process sees both as one app dir; the layer is unpacked once, shared and never written', async (t) => {
  const { dataDir, driver, workDir } = setUp(t);
  const layer = makeSlug(workDir, { '.heroku/node/bin/tool': 'from the layer\n', '.heroku/node/VERSION': 'layer\n' });
  const slugs = [1, 2].map((n) => ({
    ...makeSlug(workDir, { 'app.txt': `app ${String(n)}\n`, '.heroku/node/VERSION': `slug ${String(n)}\n` }),
    runtimeLayer: { checksum: layer.checksum, path: layer.path },
  }));
  const { PassThrough } = await import('node:stream');
  for (const [index, slug] of slugs.entries()) {
    const chunks: Buffer[] = [];
    const stdout = new PassThrough().on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await driver.run(
      { app: 'local-app', release: index + 1, name: 'run.1', slug, command: 'cat app.txt .heroku/node/bin/tool .heroku/node/VERSION; echo changed > .heroku/node/bin/tool', env: {}, memoryMb: 64 },
      { stdout, stderr: new PassThrough() },
    );
    assert.equal(result.exitCode, 0);
    assert.equal(Buffer.concat(chunks).toString(), `app ${String(index + 1)}\nfrom the layer\nslug ${String(index + 1)}\n`, "the slug's files over the layer's");
  }
  const layers = join(dataDir, 'layers-unpacked');
  assert.deepEqual(readdirSync(layers), [layer.checksum], 'one unpacked layer for both slugs');
  assert.equal(readFileSync(join(layers, layer.checksum, '.heroku', 'node', 'bin', 'tool'), 'utf8'), 'from the layer\n', "a write stays in the process's own dir");
  assert.equal(readdirSync(join(dataDir, 'slugs-unpacked', slugs[0]?.checksum ?? '')).includes('app.txt'), true);
});

test('a slug with a symbolic link inside the app unpacks; invalid process specs are refused', async (t) => {
  const { driver, workDir, spec } = setUp(t);
  const slug = makeSlug(workDir, { 'bin/tool': 'echo tool\n' });
  await driver.prepare(slug);
  await assert.rejects(driver.start({ ...spec('true'), type: '../etc' }), /Invalid process type/);
  await assert.rejects(driver.start({ ...spec('true'), app: 'Bad/App' }), /Invalid app name/);
  await assert.rejects(driver.start({ ...spec('true'), env: { 'A=B': 'x' } }), /Invalid environment variable name/);
  await assert.rejects(driver.stop('../../etc', { graceMs: 0 }), /Invalid process id/);
});

for (const mode of ['app dir', 'sandbox'] as const) {
  const skip = process.getuid?.() !== 0 ? 'overlay mounts need root' : mode === 'sandbox' && !bwrap ? 'bubblewrap (bwrap) is not installed or cannot make namespaces here' : false;
  test(`${mode}: a web process of a slug that runs already starts from a spare made ahead: its own app dir, its environment and profile, SIGTERM, and every spare goes with the driver`, { skip }, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'paas-local-driver-'));
    const workDir = mkdtempSync(join(tmpdir(), 'paas-local-work-'));
    const started: Record<string, unknown>[] = [];
    const logger = { ...silentLogger, info: (fields: object, message: string) => void (message === 'process started' && started.push(fields as Record<string, unknown>)) };
    const sandbox = mode === 'sandbox' && bwrap ? { bwrap, hidden: [dataDir] } : undefined;
    const driver = createLocalDriver({ dataDir, logger, userOf: () => ({ uid: 200_002, gid: 200_002 }), ...(sandbox ? { sandbox } : {}) });
    t.after(async () => {
      await driver.close();
      await unmountUnder(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    });
    const slug = makeContractSlug(workDir);
    const marker = join(workDir, 'evaluated');
    const command = `echo "profile=$FROM_PROFILE port=$PORT value=$HOSTILE"; ${COMMANDS.writer}`;
    const spec = (index: number): ProcessSpec => ({ app: 'local-app', release: index, type: 'web', index, slug, command, env: { DYNO: `web.${String(index)}`, HOSTILE: hostileValue(marker) }, memoryMb: 128 });
    const processes = join(dataDir, 'processes');
    const spares = (): string[] => readdirSync(processes).filter((name) => name.startsWith('.spare-'));
    const events = recordEvents(driver);
    t.after(() => events.stop());

    const first = await driver.start(spec(1));
    await events.waitFor('the first write', isOutput(first.id, 'wrote web.1'));
    assert.equal(started[0]?.spareAppDir, false, 'the first process of a slug makes its own app dir');
    // Ready once mounted and handed to the app user (its dir exists a moment before).
    const ready = (): string | undefined => spares().find((name) => statSync(join(processes, name, 'app'), { throwIfNoEntry: false })?.uid === 200_002);
    for (let i = 0; ready() === undefined; i += 1) {
      assert.ok(i < 100, 'a spare is made once starts are quiet');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const spare = ready() ?? '';
    assert.equal(await isMountPoint(join(processes, spare), join(processes, spare, 'app')), true);
    // A spare is handed out once it is wholly made: in the sandbox, once its process says its sandbox is made.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const second = await driver.start(spec(2));
    assert.equal(started[1]?.spareAppDir, true);
    assert.equal(started[1]?.spareProcess, mode === 'sandbox', 'in the sandbox the process itself was waiting');
    assert.equal(spares().includes(spare), false, 'the spare became the process dir');
    assert.equal(await isMountPoint(join(processes, second.id), join(processes, second.id, 'app')), true);
    await events.waitFor('the second write', isOutput(second.id, 'wrote web.2'));
    const said = events.events.flatMap((event) => (event.type === 'output' && event.id === second.id ? [event.line] : []));
    assert.deepEqual(said, [`profile=profile:web.2 port=${String(second.address.port)} value=${hostileValue(marker)}`, 'absent', 'wrote web.2']);
    assert.equal(existsSync(marker), false, 'no config value was evaluated');
    assert.equal(readFileSync(join(processes, second.id, 'upper', 'written.txt'), 'utf8'), 'web.2\n', "the write lands in the process's own upper layer");
    assert.equal(readFileSync(join(processes, first.id, 'app', 'written.txt'), 'utf8'), 'web.1\n');
    assert.equal(existsSync(join(dataDir, 'slugs-unpacked', slug.checksum, 'written.txt')), false, 'the unpacked slug is untouched');
    assert.deepEqual(readFileSync(join(processes, second.id, 'stderr.log'), 'utf8'), '', 'nothing said on stderr');

    assert.deepEqual(await driver.stop(second.id, { graceMs: 2000 }), { killed: false }, 'SIGTERM reaches the app');
    await events.waitFor('the exit', isExit(second.id));
    await driver.stop(first.id, { graceMs: 2000 });
    await driver.close();
    assert.deepEqual(readdirSync(processes), [], 'a closed driver leaves no spare');
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dataDir), false, 'nor any mount');
  });
}

test('processes outlive a paasd that is killed, and the next one adopts them', async (t) => {
  const { dataDir, driver, spec } = setUp(t);
  // A throwaway "paasd": starts a process, prints it, then dies without any cleanup.
  const script = `
    const { createLocalDriver } = await import(${JSON.stringify(new URL('../src/index.js', import.meta.url).href)});
    const driver = createLocalDriver({ dataDir: process.env.DATA_DIR });
    const info = await driver.start(JSON.parse(process.env.SPEC));
    process.stdout.write(JSON.stringify(info));
    process.kill(process.pid, 'SIGKILL');`;
  const crashed = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, DATA_DIR: dataDir, SPEC: JSON.stringify(spec(COMMANDS.web)) },
    encoding: 'utf8',
  });
  assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
  const info = JSON.parse(crashed.stdout) as { id: string; address: { host: string; port: number } };

  const events = recordEvents(driver);
  t.after(() => events.stop());
  assert.equal((await driver.list()).find((entry) => entry.id === info.id)?.status, 'running');
  await httpGet(info.address, '/after-crash');
  await events.waitFor('output after the crash', isOutput(info.id, 'request /after-crash'));
  await httpGet(info.address, '/exit/5');
  const exit = await events.waitFor('the exit of an orphan', isExit(info.id));
  assert.equal(exit.type === 'exit' && exit.code, null, 'not our child: its exit code is unknown');
});
