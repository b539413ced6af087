import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { createSyslogDrain } from '../src/syslog-drain.js';
import { TOKEN, appLine, burst, eventually, recordReports, seqOf, target, tempDir } from './drain-fixture.js';

/** The receivers here listen on loopback, which drains may reach only when the operator allows it. */
const LOOPBACK = { allowPrivate: true } as const;

const RSYSLOGD = '/usr/sbin/rsyslogd';
const rsyslogMissing = await access(RSYSLOGD).then(() => false, () => true);
const skip = rsyslogMissing && process.env.CI === undefined
  ? `${RSYSLOGD} is not installed (apt-get install rsyslog); CI runs this test`
  : false;

const LINES = 100_000;

/**
 * A real rsyslog as the receiver: imtcp on a port it picks and writes to a file, and one
 * omfile action that keeps the fields a drain sets. Everything lives in the temp dir; no
 * imuxsock, so /dev/log and the system's files are left alone.
 */
function rsyslogConfig(dir: string): string {
  return [
    `global(workDirectory="${dir}")`,
    'module(load="imtcp")',
    'template(name="fields" type="string" string="%hostname% %app-name% %procid% %msgid% %msg%\\n")',
    `input(type="imtcp" port="0" listenPortFileName="${join(dir, 'port')}")`,
    `action(type="omfile" file="${join(dir, 'received.log')}" template="fields")`,
    '',
  ].join('\n');
}

test('a 100,000-line burst reaches a real rsyslog, every line in order', { skip, timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'rsyslog.conf');
  await writeFile(config, rsyslogConfig(dir));
  // -n: foreground, owned by this test; -C: no chdir to /; -i: our own pid file.
  const rsyslog = spawn(RSYSLOGD, ['-n', '-C', '-f', config, '-i', join(dir, 'rsyslogd.pid')], { shell: false, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  rsyslog.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  rsyslog.on('error', (error) => (stderr += String(error)));
  t.after(async () => {
    if (rsyslog.exitCode === null && rsyslog.signalCode === null) {
      rsyslog.kill('SIGTERM');
      await once(rsyslog, 'exit');
    }
  });
  let port = 0;
  await eventually('rsyslogd to listen', async () => {
    assert.ok(rsyslog.exitCode === null && rsyslog.pid !== undefined, `rsyslogd did not start: ${stderr}`);
    port = Number(await readFile(join(dir, 'port'), 'utf8').catch(() => '0'));
    return port > 0;
  });

  const reports = recordReports();
  const drain = createSyslogDrain(target(`syslog://127.0.0.1:${String(port)}`), reports, { targets: LOOPBACK });
  t.after(() => drain.close(1000));
  // Paced by the drain's own queue, as the log router would be by a well-behaved stream.
  await burst(LINES, 1000, (seq) => drain.push(appLine(seq)), async () => {
    while (drain.stats().queued > 5000) await new Promise((resolve) => setTimeout(resolve, 5));
  });

  const received = join(dir, 'received.log');
  let lines: string[] = [];
  await eventually(`${String(LINES)} lines in rsyslog's file`, async () => {
    lines = (await readFile(received, 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith(`${TOKEN} `));
    return lines.length >= LINES;
  }, 60_000);
  assert.equal(lines.length, LINES);
  lines.forEach((line, index) => {
    if (seqOf(line) !== index) assert.fail(`line ${String(index)} is out of order: ${line}`);
  });
  assert.equal(lines[0], `${TOKEN} app web.1 - request served seq=0`);
  await drain.close(1000);
  assert.deepEqual(drain.stats(), { delivered: LINES, dropped: 0, queued: 0, inFlight: 0 });
  assert.deepEqual(reports.errors, []);
  assert.deepEqual(reports.overflows, []);
});
