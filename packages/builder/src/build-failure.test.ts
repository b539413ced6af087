import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type FailureEvent, classifyBuildFailure, explanationInOutput, formatBuildFailure } from './build-failure.js';

const compile = (outputTail: string, exitCode: number | null = 1, signal: string | null = null): FailureEvent => ({
  kind: 'compile_failed',
  buildpack: 'nodejs',
  exitCode,
  signal,
  outputTail,
});

describe('classifyBuildFailure', () => {
  const events: FailureEvent[] = [
    { kind: 'unsafe_path', where: 'source', entry: '../x', reason: 'it climbs out' },
    { kind: 'unsafe_path', where: 'slug', entry: 'link', reason: 'it points outside' },
    { kind: 'invalid_source', reason: 'bad header' },
    { kind: 'buildpack_unavailable', ref: 'https://example.com/bp.git', reason: 'git clone failed' },
    { kind: 'no_buildpack_detected', tried: ['nodejs', 'static', 'procfile'] },
    { kind: 'buildpack_incompatible', buildpack: 'nodejs' },
    compile('plain output\n'),
    { kind: 'release_failed', buildpack: 'x', reason: 'its output is not YAML' },
    { kind: 'invalid_procfile', message: 'Procfile line 2: process type web has no command. Add the command after the colon.' },
    { kind: 'no_process_types', buildpacks: ['nodejs'] },
    { kind: 'build_timeout', timeoutMs: 15 * 60 * 1000, step: 'the nodejs compile step' },
    { kind: 'build_canceled', step: 'compressing the slug' },
    { kind: 'slug_too_large', limitBytes: 500 * 1024 * 1024 },
    { kind: 'out_of_space', step: 'compressing the slug' },
    { kind: 'internal_error', step: 'setup' },
    { kind: 'invalid_app_json', errors: ['env.SECRET.generator must be "secret", not "uuid"'] },
  ];
  for (const event of events) {
    it(`says what, why and how to fix for ${event.kind}`, () => {
      const failure = classifyBuildFailure(event);
      assert.equal(failure.kind, event.kind);
      for (const text of [failure.what, failure.cause, failure.fix]) assert.match(text, /\S.*[.)]$/);
    });
  }

  it('names the packs tried, the timeout and the size limit', () => {
    assert.match(classifyBuildFailure(events[4] as FailureEvent).what, /tried, in order: nodejs, static, procfile/);
    assert.match(classifyBuildFailure(events[10] as FailureEvent).what, /reached the time limit of 15 minutes \(during the nodejs compile step\)/);
    assert.match(classifyBuildFailure(events[12] as FailureEvent).what, /size limit of 500 MB/);
  });

  it('prints each app.json error on its own line under what happened', () => {
    const lines = formatBuildFailure(classifyBuildFailure({ kind: 'invalid_app_json', errors: ['formation.web.quantity must be a whole number from 0 to 100, not -1', 'addons[0].plan is required'] }));
    assert.deepEqual(lines.slice(0, 4), [
      ' !',
      ' !     app.json has 2 errors; nothing was released.',
      ' !       formation.web.quantity must be a whole number from 0 to 100, not -1',
      ' !       addons[0].plan is required',
    ]);
  });

  it('recognizes known causes in the output of a compile that failed', () => {
    const outOfSync = classifyBuildFailure(
      compile('npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync.\n'),
    );
    assert.match(outOfSync.fix, /Run `npm install` locally, commit the updated package-lock.json/);
    assert.match(classifyBuildFailure(compile('write error: No space left on device\n')).cause, /out of disk space/);
    assert.match(classifyBuildFailure(compile('', null, 'SIGKILL')).cause, /out of memory/);
    assert.match(classifyBuildFailure(compile('bash: line 3: make: command not found\n', 127)).cause, /not installed/);
    assert.match(classifyBuildFailure(compile('boom\n', 2)).cause, /exited with status 2/);
  });

  it('takes the what, cause and fix a buildpack printed itself', () => {
    const tail = [
      '       npm error something',
      ' !',
      ' !     The "build" script in package.json failed.',
      ' !     Likely cause: The app\'s own build step exited with an error.',
      ' !     Fix: Run `npm run build` locally.',
      '',
    ].join('\n');
    const failure = classifyBuildFailure(compile(tail));
    assert.equal(failure.explainedAbove, true);
    assert.equal(failure.what, 'The "build" script in package.json failed.');
    assert.equal(failure.cause, "The app's own build step exited with an error.");
    assert.equal(failure.fix, 'Run `npm run build` locally.');
    assert.deepEqual(formatBuildFailure(failure), [' !', ' !     The nodejs buildpack failed to compile the app.']);
  });

  it('ignores ` !     ` warnings that are not the last thing printed', () => {
    assert.equal(explanationInOutput(' !     Warning: no lockfile\n       then it broke\n'), undefined);
  });
});

describe('formatBuildFailure', () => {
  it('prints ` !     ` lines: what, likely cause, fix', () => {
    const lines = formatBuildFailure(classifyBuildFailure({ kind: 'build_canceled', step: 'setup' }));
    assert.deepEqual(lines, [
      ' !',
      ' !     The build was canceled (during setup).',
      ' !     Likely cause: It was stopped before it finished.',
      ' !     Fix: Push again to start a new build.',
    ]);
  });
});

describe('a full disk', () => {
  it('is said as such, not as a problem on the platform', () => {
    const failure = classifyBuildFailure({ kind: 'out_of_space', step: 'compressing the slug' });
    assert.match(failure.what, /no space left on the platform's disk \(during compressing the slug\)/);
    assert.match(failure.fix, /free space in PAAS_DATA_DIR or move the data dir/);
  });
});
