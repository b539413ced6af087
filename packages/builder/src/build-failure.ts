/**
 * Build failures as data: what happened, the likely cause and the fix, the way
 * Heroku's buildpacks word them. Pure: the runner reports an event, this module
 * decides what the user reads. No I/O here.
 */
import { ERROR_PREFIX } from './build-log.js';

/** What each platform buildpack looks for, for the message when none recognizes an app. */
export const PLATFORM_BUILDPACK_FILES: Readonly<Record<string, string>> = {
  nodejs: 'package.json',
  python: 'requirements.txt, pyproject.toml, Pipfile, setup.py, runtime.txt or .python-version',
  go: 'go.mod',
  static: 'index.html or public/index.html',
  procfile: 'a Procfile (for apps that bring their own executables; not taken for Ruby, PHP, Java, Rust, Elixir and the like)',
};


export type FailureEvent =
  | { readonly kind: 'unsafe_path'; readonly where: 'source' | 'slug'; readonly entry: string; readonly reason: string }
  | { readonly kind: 'invalid_source'; readonly reason: string }
  | { readonly kind: 'buildpack_unavailable'; readonly ref: string; readonly reason: string }
  | { readonly kind: 'no_buildpack_detected'; readonly tried: readonly string[] }
  | { readonly kind: 'buildpack_incompatible'; readonly buildpack: string }
  | {
      readonly kind: 'compile_failed';
      readonly buildpack: string;
      readonly exitCode: number | null;
      readonly signal: string | null;
      /** The end of what the build printed, for recognizing known causes. */
      readonly outputTail: string;
    }
  | { readonly kind: 'release_failed'; readonly buildpack: string; readonly reason: string }
  | { readonly kind: 'invalid_procfile'; readonly message: string }
  | { readonly kind: 'invalid_app_json'; readonly errors: readonly string[] }
  | { readonly kind: 'no_process_types'; readonly buildpacks: readonly string[] }
  | { readonly kind: 'build_timeout'; readonly timeoutMs: number; readonly step: string }
  | { readonly kind: 'build_canceled'; readonly step: string }
  | { readonly kind: 'slug_too_large'; readonly limitBytes: number }
  | { readonly kind: 'out_of_space'; readonly step: string }
  | { readonly kind: 'internal_error'; readonly step: string };

export type BuildFailureKind = FailureEvent['kind'];

export interface BuildFailure {
  readonly kind: BuildFailureKind;
  /** What happened, one sentence. */
  readonly what: string;
  /** The likely cause. */
  readonly cause: string;
  /** What the user can do about it. */
  readonly fix: string;
  /** The buildpack printed its own explanation already: only `summary` is added. */
  readonly explainedAbove: boolean;
  /** One line for the end of the build output. */
  readonly summary: string;
  /** Particulars printed under `what`, one per line (each app.json error). */
  readonly details?: readonly string[];
}

/** `summaryWhenExplained`: set when the buildpack printed what/cause/fix itself. */
function failure(kind: BuildFailureKind, what: string, cause: string, fix: string, summaryWhenExplained?: string): BuildFailure {
  return { kind, what, cause, fix, explainedAbove: summaryWhenExplained !== undefined, summary: summaryWhenExplained ?? what };
}

function minutes(ms: number): string {
  if (ms < 60_000) return `${String(Math.round(ms / 1000))} seconds`;
  const value = Math.round(ms / 60_000);
  return `${String(value)} minute${value === 1 ? '' : 's'}`;
}

/** Known causes recognizable from the end of a failed compile's output. */
const KNOWN_COMPILE_CAUSES: ReadonlyArray<{ test: RegExp; cause: string; fix: string }> = [
  {
    test: /can only install packages when your package\.json and package-lock\.json (or npm-shrinkwrap\.json )?are in sync/,
    cause: 'package-lock.json does not match package.json, so `npm ci` refused to install.',
    fix: 'Run `npm install` locally, commit the updated package-lock.json, and push again.',
  },
  {
    test: /ENOSPC|No space left on device/,
    cause: 'The build ran out of disk space.',
    fix: 'Make the build smaller (fewer or lighter dependencies, no large generated files), or ask the operator for more build disk.',
  },
  {
    test: /E(AI_AGAIN|TIMEDOUT|CONNREFUSED|CONNRESET)|Could not resolve host|getaddrinfo/,
    cause: 'A download during the build failed: a registry or host could not be reached.',
    fix: 'Push again in a moment; if it keeps failing, check that every download the build makes goes to a reachable registry.',
  },
  {
    test: /: command not found|: not found$/m,
    cause: 'The build called a program that is not installed in the build environment.',
    fix: 'Install the tool through a dependency or a buildpack, or call it by the path your build installs it to.',
  },
];

/**
 * The what / cause / fix a buildpack printed as its last ` !     ` lines (our packs
 * and Heroku's print them so), or undefined when the output does not end that way.
 */
export function explanationInOutput(outputTail: string): { what: string; cause: string; fix: string } | undefined {
  const lines = outputTail.trimEnd().split('\n');
  if (!(lines.at(-1) ?? '').startsWith(ERROR_PREFIX)) return undefined;
  let start = lines.length;
  while (start > 0 && (lines[start - 1] ?? '').startsWith(ERROR_PREFIX.trimEnd())) start -= 1;
  const block = lines.slice(start).map((line) => line.slice(ERROR_PREFIX.length).trim()).filter((line) => line !== '');
  const cause = block.find((line) => line.startsWith('Likely cause: '))?.slice('Likely cause: '.length);
  const fix = block.find((line) => line.startsWith('Fix: '))?.slice('Fix: '.length);
  const what = block.filter((line) => !line.startsWith('Likely cause: ') && !line.startsWith('Fix: ')).join(' ');
  return { what: what || 'The buildpack reported an error.', cause: cause ?? 'The buildpack explained it above.', fix: fix ?? 'Follow the advice above and push again.' };
}

function classifyCompile(event: Extract<FailureEvent, { kind: 'compile_failed' }>): BuildFailure {
  const what = `The ${event.buildpack} buildpack failed to compile the app.`;
  const explained = explanationInOutput(event.outputTail);
  if (explained) return failure('compile_failed', explained.what, explained.cause, explained.fix, what);
  if (event.signal === 'SIGKILL' || event.exitCode === 137) {
    return failure(
      'compile_failed',
      what,
      'The compile step was killed, most likely because it ran out of memory.',
      'Use less memory during the build (e.g. limit parallel jobs, NODE_OPTIONS=--max-old-space-size), or ask the operator for a larger build.',
    );
  }
  const known = KNOWN_COMPILE_CAUSES.find((entry) => entry.test.test(event.outputTail));
  if (known) return failure('compile_failed', what, known.cause, known.fix);
  const status = event.exitCode === null ? `signal ${event.signal ?? 'unknown'}` : `status ${String(event.exitCode)}`;
  return failure(
    'compile_failed',
    what,
    `Its compile step exited with ${status}; the lines above show what went wrong.`,
    'Reproduce the build locally with the same commands, fix the error, and push again.',
  );
}

export function classifyBuildFailure(event: FailureEvent): BuildFailure {
  switch (event.kind) {
    case 'unsafe_path':
      return event.where === 'source'
        ? failure(
            'unsafe_path',
            `The source archive holds an entry the platform refuses: ${event.entry} (${event.reason}).`,
            'Source archives may not reach outside the app: no "..", no absolute paths, no links pointing outside.',
            'Remove or fix that file or link in the repository and push again.',
          )
        : failure(
            'unsafe_path',
            `The built app holds a link the platform refuses: ${event.entry} (${event.reason}).`,
            'A slug may not contain links that point outside the app directory: they would not exist when the app runs.',
            'Make the link relative to a file inside the app, or copy the file into the app during the build.',
          );
    case 'invalid_source':
      return failure('invalid_source', `The source could not be unpacked: ${event.reason}.`, 'The upload is not a tar archive, or it is damaged.', 'Push again; for uploads, send the output of `git archive --format=tar HEAD`.');
    case 'buildpack_unavailable':
      return failure(
        'buildpack_unavailable',
        `The buildpack ${event.ref} could not be loaded: ${event.reason}.`,
        'The name, path or URL is wrong, or the repository is not reachable from the platform.',
        'Check the buildpack setting: use a built-in name (nodejs, python, go, static, procfile), an absolute path, or a reachable git URL.',
      );
    case 'no_buildpack_detected':
      return failure(
        'no_buildpack_detected',
        `No buildpack recognized this app (tried, in order: ${event.tried.join(', ')}).`,
        `The app has none of the files they look for at the root of the repository: ${event.tried.map((ref) => `${ref}: ${PLATFORM_BUILDPACK_FILES[ref] ?? 'its bin/detect said no'}`).join('; ')}.`,
        'Add the file for your kind of app at the root of the repository, or choose a buildpack for the app with `paas buildpacks:set <name-or-url>` (a git URL of a Heroku-style buildpack works) and push again.',
      );
    case 'buildpack_incompatible':
      return failure(
        'buildpack_incompatible',
        `The app is not compatible with the buildpack ${event.buildpack}: its detect step said no.`,
        'The files that buildpack looks for are missing from the root of the repository.',
        'Add them, or choose a buildpack that fits the app.',
      );
    case 'compile_failed':
      return classifyCompile(event);
    case 'release_failed':
      return failure(
        'release_failed',
        `The ${event.buildpack} buildpack's release step failed: ${event.reason}.`,
        'bin/release must exit 0 and print YAML with an optional default_process_types mapping.',
        'Fix the buildpack, or declare the process types in a Procfile.',
      );
    case 'invalid_procfile':
      return failure('invalid_procfile', 'The Procfile could not be read.', event.message, 'Fix that line of the Procfile and push again.');
    case 'invalid_app_json':
      return {
        ...failure(
          'invalid_app_json',
          `app.json has ${event.errors.length === 1 ? 'an error' : `${String(event.errors.length)} errors`}; nothing was released.`,
          'app.json at the root of the repository does not follow its schema (see docs/pipelines.md).',
          'Fix each field named above in app.json and push again.',
        ),
        details: event.errors,
      };
    case 'no_process_types':
      return failure(
        'no_process_types',
        'The app has nothing to run: no process types were found.',
        `There is no Procfile, and ${event.buildpacks.join(', ') || 'the buildpack'} declared no default process types.`,
        'Add a Procfile with e.g. `web: node server.js`, or a "start" script in package.json.',
      );
    case 'build_timeout':
      return failure(
        'build_timeout',
        `The build reached the time limit of ${minutes(event.timeoutMs)} (during ${event.step}) and was stopped; the app keeps its current release.`,
        'A step kept running: a script waiting for input, a server or watcher started by the build, or a very slow download.',
        'Make sure build scripts exit on their own (no `--watch`, no servers), then push again. If the build really needs longer, the operator can raise PAAS_BUILD_TIMEOUT (e.g. 30m).',
      );
    case 'build_canceled':
      return failure('build_canceled', `The build was canceled (during ${event.step}).`, 'It was stopped before it finished.', 'Push again to start a new build.');
    case 'slug_too_large':
      return failure(
        'slug_too_large',
        `The compiled slug is over the size limit of ${String(Math.round(event.limitBytes / (1024 * 1024)))} MB.`,
        'The app directory holds large files after the build: dependencies, build artifacts or caches.',
        'Keep large files out of the repository, prune dev dependencies, and keep caches out of the app directory.',
      );
    case 'out_of_space':
      return failure(
        'out_of_space',
        `The build stopped: no space left on the platform's disk (during ${event.step}).`,
        'The disk holding the platform\'s data dir (PAAS_DATA_DIR) is full or over its quota. This is not caused by the app.',
        'Tell the operator: free space in PAAS_DATA_DIR or move the data dir, then push again.',
      );
    case 'internal_error':
      return failure(
        'internal_error',
        `The build failed because of a problem on the platform (during ${event.step}).`,
        'This is not caused by the app.',
        'Push again; if it keeps failing, tell the operator (the platform logs have the details).',
      );
  }
}

/** The ` !     ` lines a user reads at the end of a failed build. */
export function formatBuildFailure(failed: BuildFailure): string[] {
  if (failed.explainedAbove) return [ERROR_PREFIX.trimEnd(), `${ERROR_PREFIX}${failed.summary}`];
  return [
    ERROR_PREFIX.trimEnd(),
    `${ERROR_PREFIX}${failed.what}`,
    ...(failed.details ?? []).map((detail) => `${ERROR_PREFIX}  ${detail}`),
    `${ERROR_PREFIX}Likely cause: ${failed.cause}`,
    `${ERROR_PREFIX}Fix: ${failed.fix}`,
  ];
}
