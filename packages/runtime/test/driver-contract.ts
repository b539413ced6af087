import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import type { DriverEvent, OneOffSpec, ProcessInfo, ProcessSpec, RuntimeDriver, SlugRef } from '../src/index.js';
import { COMMANDS, hostileValue, httpGet, makeContractSlug } from './contract-app.js';
import { type EventRecorder, isExit, isOutput, recordEvents } from './event-recorder.js';

/** What a driver's test file hands the contract suite. */
export interface DriverHarness {
  readonly driver: RuntimeDriver;
  /** Another driver over the same state (data dir, engine), as a restarted paasd makes it. */
  reopen(): RuntimeDriver;
  /** Memory limits are enforced (the local driver does not enforce them). */
  readonly enforcesMemory: boolean;
  /** Pids a process prints are host pids, so its children can be checked from here. */
  readonly hostPids: boolean;
  /** The driver knows the exit code of a process it adopted (the engine keeps it). */
  readonly knowsAdoptedExitCodes: boolean;
  /** The `$PORT` a process sees, when the driver fixes it. */
  readonly fixedPort?: number;
  /** Removes what the suite left (data dir, slug images). */
  cleanup(slugs: readonly SlugRef[]): Promise<void>;
}

export type HarnessFactory = () => Promise<DriverHarness | { skip: string }>;

const GRACE_MS = 1000;

/** A pid is gone when /proc no longer has it or has only its zombie (PID 1 may not reap here). */
export function hostPidGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true; // no /proc entry: gone
  }
}

/**
 * The behaviour every runtime driver must have, run against a real engine (host
 * processes, a Docker daemon). Each test cleans up what it starts.
 */
export function driverContract(name: string, makeHarness: HarnessFactory): void {
  describe(`${name} driver contract`, { timeout: 180_000 }, () => {
    let harness: DriverHarness | undefined;
    let skip: string | undefined;
    let workDir: string;
    let slug: SlugRef;
    const app = `ct-${randomBytes(3).toString('hex')}`;
    const marker = `/tmp/paas-pwned-${randomBytes(4).toString('hex')}`;
    const opened: RuntimeDriver[] = [];

    before(async () => {
      const made = await makeHarness();
      if ('skip' in made) skip = made.skip;
      else harness = made;
      workDir = mkdtempSync(join(tmpdir(), 'paas-contract-'));
      slug = makeContractSlug(workDir);
    });

    after(async () => {
      for (const driver of opened) await driver.close();
      if (harness) {
        for (const info of await harness.driver.list()) if (info.app === app) await harness.driver.stop(info.id, { graceMs: 0 });
        await harness.driver.close();
        await harness.cleanup([slug]);
      }
      rmSync(workDir, { recursive: true, force: true });
      rmSync(marker, { force: true });
    });

    const spec = (type: string, command: string, overrides: Partial<ProcessSpec> = {}): ProcessSpec => ({
      app,
      release: 7,
      type,
      index: 1,
      slug,
      command,
      env: { DYNO: `${type}.${String(overrides.index ?? 1)}`, GREETING: hostileValue(marker), MARKER: marker },
      memoryMb: 256,
      ...overrides,
    });

    /** The harness, or undefined after marking the test skipped. */
    const use = (t: { skip(reason: string): void }): DriverHarness | undefined => {
      if (!harness) t.skip(skip ?? 'no harness');
      return harness;
    };

    /** Starts a process and records the driver's events; both are cleaned up after the test. */
    const startRecorded = async (
      t: { after(fn: () => Promise<void>): void },
      driver: RuntimeDriver,
      processSpec: ProcessSpec,
      recorder = recordEvents(driver),
    ): Promise<{ info: ProcessInfo; events: EventRecorder }> => {
      const info = await driver.start(processSpec);
      t.after(async () => {
        recorder.stop();
        await driver.stop(info.id, { graceMs: 0 });
      });
      return { info, events: recorder };
    };

    const childPid = async (events: EventRecorder, id: string): Promise<number> => {
      const line = await events.waitFor('the child pid', isOutput(id, 'child '));
      return Number((line as DriverEvent & { line: string }).line.split(' ')[1]);
    };

    test('prepare is idempotent and safe to call concurrently', async (t) => {
      const h = use(t);
      if (!h) return;
      const other = h.reopen();
      opened.push(other);
      await Promise.all([h.driver.prepare(slug), h.driver.prepare(slug), other.prepare(slug)]);
      await h.driver.prepare(slug);
    });

    test('a web process answers on its address with its env, after .profile.d, and nothing in a config value runs', async (t) => {
      const h = use(t);
      if (!h) return;
      const { info, events } = await startRecorded(t, h.driver, spec('web', COMMANDS.web));
      assert.equal(info.status, 'running');
      assert.deepEqual([info.app, info.release, info.type, info.index, info.name], [app, 7, 'web', 1, 'web.1']);
      if (h.fixedPort !== undefined) assert.equal(info.address.port, h.fixedPort);
      const seen = JSON.parse(await httpGet(info.address, '/')) as Record<string, unknown>;
      assert.equal(seen.DYNO, 'web.1');
      assert.equal(seen.GREETING, hostileValue(marker), 'the config value arrives byte for byte');
      assert.equal(seen.FROM_PROFILE, 'profile:web.1', '.profile.d ran after the config vars were set');
      assert.equal(seen.PORT, String(info.address.port));
      assert.equal(seen.pwned, false, 'no part of the config value was executed');
      assert.equal(existsSync(marker), false);

      await events.waitFor('stdout line', isOutput(info.id, `listening on ${String(info.address.port)}`));
      const stderr = await events.waitFor('stderr line', isOutput(info.id, 'booted web.1'));
      assert.deepEqual(stderr, { type: 'output', id: info.id, name: 'web.1', app, stream: 'stderr', line: 'booted web.1' });
      const stdout = events.events.find(isOutput(info.id, 'listening on'));
      assert.equal(stdout?.type === 'output' && stdout.stream, 'stdout');

      const listed = (await h.driver.list()).find((entry) => entry.id === info.id);
      assert.ok(listed, 'list() shows the process');
      assert.deepEqual(
        { ...listed, startedAt: undefined },
        { ...info, startedAt: undefined },
        'list() reports what start() returned',
      );
      const result = await h.driver.stop(info.id, { graceMs: GRACE_MS });
      assert.equal(result.killed, false);
      assert.equal((await h.driver.list()).find((entry) => entry.id === info.id), undefined, 'stop() removes it');
    });

    test('each process gets its own writable app dir', async (t) => {
      const h = use(t);
      if (!h) return;
      const first = await startRecorded(t, h.driver, spec('worker', COMMANDS.writer));
      await first.events.waitFor('the first write', isOutput(first.info.id, 'wrote worker.1'));
      assert.ok(first.events.events.some(isOutput(first.info.id, 'absent')));
      const second = await startRecorded(t, h.driver, spec('worker', COMMANDS.writer, { index: 2 }));
      await second.events.waitFor('the second write', isOutput(second.info.id, 'wrote worker.2'));
      assert.ok(second.events.events.some(isOutput(second.info.id, 'absent')), "one process's files never show in another's");
    });

    test('usage() gives memory and CPU time of a running process and the files it wrote in its app dir; nothing once it is gone', async (t) => {
      const h = use(t);
      if (!h) return;
      if (!h.driver.usage) return t.skip(`the ${name} driver does not report usage`);
      const { info, events } = await startRecorded(t, h.driver, spec('worker', COMMANDS.writer));
      await events.waitFor('the write', isOutput(info.id, 'wrote worker.1'));
      const used = await h.driver.usage(info.id);
      assert.ok(used && used.memoryMb > 0 && used.cpuSeconds >= 0, JSON.stringify(used));
      // Undefined where writes cannot be told apart from the slug (a copied app dir).
      if (used.writes !== undefined) assert.ok(used.writes.includes('written.txt'), JSON.stringify(used.writes));
      await h.driver.stop(info.id, { graceMs: 0 });
      assert.equal(await h.driver.usage(info.id), undefined);
    });

    test('a process that exits 3 reports its output, then exit code 3, and stays listed as exited until stopped', async (t) => {
      const h = use(t);
      if (!h) return;
      const { info, events } = await startRecorded(t, h.driver, spec('crash', COMMANDS.crash));
      const exit = await events.waitFor('the exit', isExit(info.id));
      assert.deepEqual(
        { ...exit, signal: undefined },
        { type: 'exit', id: info.id, name: 'crash.1', app, code: 3, signal: undefined, oom: false },
      );
      const order = (match: (event: DriverEvent) => boolean): number => events.events.findIndex(match);
      const exitAt = order(isExit(info.id));
      assert.ok(order(isOutput(info.id, 'about to fail')) !== -1 && order(isOutput(info.id, 'about to fail')) < exitAt, 'stdout before the exit');
      assert.ok(order(isOutput(info.id, 'failing now')) !== -1 && order(isOutput(info.id, 'failing now')) < exitAt, 'stderr before the exit');
      const listed = (await h.driver.list()).find((entry) => entry.id === info.id);
      assert.equal(listed?.status, 'exited');
      assert.equal(listed.exitCode, 3);
      assert.deepEqual(await h.driver.stop(info.id, { graceMs: GRACE_MS }), { killed: false });
      assert.equal((await h.driver.list()).find((entry) => entry.id === info.id), undefined);
    });

    test('stop() kills a process that ignores SIGTERM after the grace period, children included', async (t) => {
      const h = use(t);
      if (!h) return;
      const { info, events } = await startRecorded(t, h.driver, spec('stubborn', COMMANDS.ignoresTerm));
      const child = await childPid(events, info.id);
      const started = Date.now();
      const result = await h.driver.stop(info.id, { graceMs: GRACE_MS });
      assert.equal(result.killed, true);
      assert.ok(Date.now() - started >= GRACE_MS - 50, 'the grace period was given');
      if (h.hostPids) assert.ok(hostPidGone(child), `child ${String(child)} is gone`);
      assert.equal((await h.driver.list()).find((entry) => entry.id === info.id), undefined);
      await events.waitFor('the exit', isExit(info.id));
    });

    test('stop() of a process that handles SIGTERM ends it within the grace period, children included', async (t) => {
      const h = use(t);
      if (!h) return;
      const { info, events } = await startRecorded(t, h.driver, spec('web', COMMANDS.handlesTerm));
      const child = await childPid(events, info.id);
      await events.waitFor('the server', isOutput(info.id, 'listening on'));
      const started = Date.now();
      const result = await h.driver.stop(info.id, { graceMs: 5000 });
      assert.equal(result.killed, false);
      assert.ok(Date.now() - started < 4000, `stopped in ${String(Date.now() - started)} ms, before the grace ran out`);
      if (h.hostPids) assert.ok(hostPidGone(child), `child ${String(child)} is gone`);
      assert.equal((await h.driver.list()).find((entry) => entry.id === info.id), undefined);
    });

    test('a burst of 200,000 lines arrives whole: every line once, in order', { timeout: 120_000 }, async (t) => {
      const h = use(t);
      if (!h) return;
      const lines = 200_000;
      const numbers: number[] = [];
      let last: () => void = () => undefined;
      const lastSeen = new Promise<void>((resolve) => (last = resolve));
      // Its own listener: a recorder would search 200,000 events on every event.
      const unsubscribe = h.driver.subscribe((event) => {
        // By name, not id: lines may come before start() has returned the id.
        if (event.type !== 'output' || event.stream !== 'stdout' || event.app !== app || event.name !== 'worker.9') return;
        numbers.push(Number(event.line.split(' ')[0]));
        if (event.line.startsWith(`${String(lines)} `)) last();
      });
      t.after(unsubscribe);
      // More than Docker's 10 MB json-file rotates at: a reader of that file saw lines twice or never.
      await startRecorded(t, h.driver, spec('worker', `seq -f '%g of a burst, long enough to pass 10 MB of log' 1 ${String(lines)}; sleep 60`, { index: 9 }));
      await Promise.race([lastSeen, new Promise((_, reject) => setTimeout(() => reject(new Error(`${String(numbers.length)} lines seen`)), 90_000).unref())]);
      assert.equal(numbers.length, lines, 'no line lost or repeated');
      assert.ok(numbers.every((n, i) => n === i + 1), 'in order');
    });

    test('a new driver on the same state adopts running processes, with their output and exit', async (t) => {
      const h = use(t);
      if (!h) return;
      const first = h.reopen();
      opened.push(first);
      const info = await first.start(spec('web', COMMANDS.web));
      t.after(async () => {
        await h.driver.stop(info.id, { graceMs: 0 });
      });
      await httpGet(info.address, '/before');
      await first.close();

      const second = h.reopen();
      opened.push(second);
      const events = recordEvents(second);
      t.after(() => events.stop());
      const listed = (await second.list()).find((entry) => entry.id === info.id);
      assert.equal(listed?.status, 'running', 'the process is adopted, not restarted');
      assert.deepEqual(listed.address, info.address);
      await httpGet(info.address, '/after-restart');
      await events.waitFor('output of an adopted process', isOutput(info.id, 'request /after-restart dyno=web.1'));
      await httpGet(info.address, '/exit/4');
      const exit = await events.waitFor('exit of an adopted process', isExit(info.id));
      assert.equal(exit.type === 'exit' && exit.code, h.knowsAdoptedExitCodes ? 4 : null);
      assert.equal((await second.list()).find((entry) => entry.id === info.id)?.status, 'exited');
      assert.deepEqual(await second.stop(info.id, { graceMs: GRACE_MS }), { killed: false });
    });

    const oneOff = (command: string): OneOffSpec => ({
      app,
      release: 7,
      name: 'run.4242',
      slug,
      command,
      env: { DYNO: 'run.4242', MARKER: marker },
      memoryMb: 256,
    });

    const collect = (): { stream: PassThrough; text: () => string } => {
      const stream = new PassThrough();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
    };

    test('run() streams output and stdin, passes the command literally, and returns the exit code', async (t) => {
      const h = use(t);
      if (!h) return;
      const literal = `literal $(touch ${marker}) \`touch ${marker}\`; | & > < "q" \\ $HOME`;
      const command = [
        `printf '%s\\n' '${literal}'`,
        'echo "dyno=$DYNO profile=$FROM_PROFILE"',
        'read -r line; echo "stdin: $line"',
        'echo oops >&2',
        `if [ -e ${marker} ]; then echo PWNED; fi`,
        'exit 3',
      ].join('; ');
      const stdout = collect();
      const stderr = collect();
      const result = await h.driver.run(oneOff(command), {
        stdin: Readable.from([Buffer.from('from stdin\n')]),
        stdout: stdout.stream,
        stderr: stderr.stream,
      });
      assert.equal(result.exitCode, 3);
      assert.equal(stdout.text(), `${literal}\ndyno=run.4242 profile=profile:run.4242\nstdin: from stdin\n`);
      assert.equal(stderr.text(), 'oops\n');
      assert.equal(existsSync(marker), false);
      assert.equal((await h.driver.list()).some((entry) => entry.app === app && entry.name === 'run.4242'), false, 'one-offs are not listed');
    });

    test('run() without stdin, aborted, ends with a null exit code', async (t) => {
      const h = use(t);
      if (!h) return;
      const stdout = collect();
      const abort = new AbortController();
      const started = Date.now();
      const running = h.driver.run(oneOff('echo started; exec sleep 60'), { stdout: stdout.stream, stderr: collect().stream, signal: abort.signal });
      const waitStarted = async (): Promise<void> => {
        while (!stdout.text().includes('started')) await new Promise((resolve) => setTimeout(resolve, 50));
      };
      await waitStarted();
      abort.abort();
      assert.deepEqual(await running, { exitCode: null });
      assert.ok(Date.now() - started < 20_000);
    });

    test('the memory limit stops a process that grows, and the exit says oom', async (t) => {
      const h = use(t);
      if (!h) return;
      if (!h.enforcesMemory) return t.skip(`the ${name} driver does not enforce memory limits`);
      const { info, events } = await startRecorded(t, h.driver, spec('hog', COMMANDS.hog, { memoryMb: 64 }));
      const exit = await events.waitFor('the OOM kill', isExit(info.id), 60_000);
      assert.equal(exit.type === 'exit' && exit.oom, true);
      assert.equal(exit.type === 'exit' && exit.code, 137);
    });
  });
}
