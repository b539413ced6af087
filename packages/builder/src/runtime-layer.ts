import { type Hash, createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { captureOutput } from './bounded-capture.js';
import { runOnHost } from './host-environment.js';
import { tarArguments } from './slug.js';

/**
 * A buildpack's runtime (node, npm, the package manager) as a layer of its own: the
 * directories of the app dir that are the same for every app built with the same
 * versions. The buildpack names them in `runtime-layer` in its own dir (as it writes
 * `export` there), one `key <versions>` line and a `path <dir>` line per directory.
 */
export interface RuntimeLayerDeclaration {
  /** What the layer holds, e.g. `node-22.11.0+npm-10.9.0`; part of its digest. */
  readonly key: string;
  /** Directories relative to the app dir, e.g. `.heroku/node`; sorted, no duplicates. */
  readonly paths: readonly string[];
}

export const RUNTIME_LAYER_FILE = 'runtime-layer';
const MAX_PATHS = 8;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;
const SEGMENT_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** A declaration the builder cannot use; the build then packs a one-layer slug. */
export class RuntimeLayerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeLayerError';
  }
}

function checkPath(path: string): string {
  const segments = path.split('/');
  if (segments.length > 8 || !segments.every((segment) => SEGMENT_PATTERN.test(segment) && segment !== '.' && segment !== '..')) {
    throw new RuntimeLayerError(`${JSON.stringify(path.slice(0, 200))} is not a plain relative directory (letters, digits, ".", "_", "-"; no "..").`);
  }
  return path;
}

/** Parses one pack's `runtime-layer` file. Pure. */
export function parseRuntimeLayer(text: string): RuntimeLayerDeclaration {
  let key: string | undefined;
  const paths = new Set<string>();
  for (const line of text.split('\n').map((entry) => entry.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [field, value = '', ...rest] = line.split(/\s+/);
    if (rest.length > 0) throw new RuntimeLayerError(`The line ${JSON.stringify(line.slice(0, 200))} has more than one value.`);
    if (field === 'key') {
      if (key !== undefined) throw new RuntimeLayerError('The key is given twice.');
      if (!KEY_PATTERN.test(value)) throw new RuntimeLayerError(`The key ${JSON.stringify(value.slice(0, 200))} is not letters, digits, ".", "_", "+", "-" (at most 200).`);
      key = value;
    } else if (field === 'path') paths.add(checkPath(value));
    else throw new RuntimeLayerError(`Unknown field ${JSON.stringify(field?.slice(0, 50))}: use "key" and "path".`);
  }
  if (key === undefined) throw new RuntimeLayerError('No key line.');
  if (paths.size === 0) throw new RuntimeLayerError('No path line.');
  return { key, paths: normalizePaths([...paths]) };
}

/** Sorted, and no path inside another (tar would pack it twice). */
function normalizePaths(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const nested = sorted.find((path) => sorted.some((other) => other !== path && path.startsWith(`${other}/`)));
  if (nested !== undefined) throw new RuntimeLayerError(`${JSON.stringify(nested)} lies inside another path of the layer.`);
  if (sorted.length > MAX_PATHS) throw new RuntimeLayerError(`More than ${String(MAX_PATHS)} paths.`);
  return sorted;
}

/** Several packs' declarations as one layer (keys joined in pack order). Pure. */
export function mergeRuntimeLayers(declarations: readonly RuntimeLayerDeclaration[]): RuntimeLayerDeclaration | undefined {
  if (declarations.length === 0) return undefined;
  return { key: declarations.map((declaration) => declaration.key).join('+').slice(0, 200), paths: normalizePaths(declarations.flatMap((declaration) => declaration.paths)) };
}

/**
 * The declarations the packs left, merged; each path checked on disk: a real directory
 * reached through real directories (a link on the way would make the layer's names
 * differ from its contents).
 */
export async function readRuntimeLayer(packDirs: readonly string[], appDir: string): Promise<RuntimeLayerDeclaration | undefined> {
  const declarations: RuntimeLayerDeclaration[] = [];
  for (const dir of packDirs) {
    const text = await readFile(join(dir, RUNTIME_LAYER_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) declarations.push(parseRuntimeLayer(text.slice(0, 16 * 1024)));
  }
  const layer = mergeRuntimeLayers(declarations);
  for (const path of layer?.paths ?? []) {
    const segments = path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const info = await lstat(join(appDir, ...segments.slice(0, i))).catch(() => undefined);
      if (!info?.isDirectory()) throw new RuntimeLayerError(`${JSON.stringify(segments.slice(0, i).join('/'))} is not a directory in the app.`);
    }
  }
  return layer;
}

/** The digest of a layer's contents, fed its tar: by digestRuntimeLayer, or by the pack that stores it. */
export function runtimeLayerHash(layer: RuntimeLayerDeclaration, stack: string): Hash {
  return createHash('sha256').update(`paas-runtime-layer\0${stack}\0${layer.key}\0`);
}

/**
 * What identifies the layer's contents: sha256 over the stack, the key and the layer's
 * deterministic tar (the bytes the layer would be packed from). Every file is read: a
 * build script may have changed the runtime, and a layer is shared by every app that
 * makes the same one, so only the same bytes may find it.
 */
export async function digestRuntimeLayer(appDir: string, layer: RuntimeLayerDeclaration, stack: string, signal?: AbortSignal): Promise<string> {
  const hash = runtimeLayerHash(layer, stack);
  await runOverLayer('tar', tarArguments(appDir, { only: layer.paths }), appDir, (chunk) => hash.update(chunk), 'read', signal);
  return hash.digest('hex');
}

/** Runs a host tool in the app dir over the layer's members, its output given to `onChunk`; a failure names the tool and its stderr. */
async function runOverLayer(tool: string, args: string[], appDir: string, onChunk: (chunk: Buffer) => void, doing: string, signal?: AbortSignal): Promise<void> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback();
    },
  });
  const stderr = captureOutput(16 * 1024);
  const result = await runOnHost(tool, args, {
    cwd: appDir,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' },
    stdout: sink,
    stderr: stderr.stream,
    ...(signal ? { signal } : {}),
  });
  signal?.throwIfAborted();
  if (result.exitCode !== 0) throw new Error(`${tool} could not ${doing} the runtime layer (exit ${String(result.exitCode ?? result.signal)}): ${stderr.text().trim()}`);
}

/**
 * What the layer's files look like without reading them: every name with its kind, mode,
 * size, link target and, for files, mtime, hashed with the stack and key. Anything a build writes
 * changes it (npm and cp set mtimes; a link to or a copy of the same cache keeps them). Trusted only
 * against the same app's own earlier build (see RuntimeLayerStore.recall): sizes and
 * mtimes can be forged, so it must never find a layer another app stored.
 * One `find` lists them: walking ~2,600 entries with a stat each from node took ~1 s on a
 * loaded machine (a thread-pool round trip per entry), find a few tens of ms.
 */
export async function surveyRuntimeLayer(appDir: string, layer: RuntimeLayerDeclaration, stack: string, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  // Six NUL-terminated fields per entry (names may hold newlines, never NUL). Members start with `./`: none reads as an option.
  const args = [...layer.paths.map((path) => `./${path}`), '-printf', '%p\\0%y\\0%m\\0%s\\0%T@\\0%l\\0'];
  await runOverLayer('find', args, appDir, (chunk) => chunks.push(chunk), 'list', signal);
  const fields = Buffer.concat(chunks).toString('utf8').split('\0');
  const entries: string[] = [];
  for (let i = 0; i + 6 <= fields.length; i += 6) {
    const [path = '', type = '', mode = '', size = '', mtime = '', target = ''] = fields.slice(i, i + 6);
    const kind = type === 'd' || type === 'l' || type === 'f' ? type : 'o';
    // A directory's entries and a link's target are listed themselves; their mtimes only say when the build made them.
    entries.push(`${path}\0${kind}\0${mode}\0${size}\0${kind === 'f' ? mtime : ''}\0${target}\n`);
  }
  const hash = createHash('sha256').update(`paas-runtime-survey-2\0${stack}\0${layer.key}\0`);
  for (const entry of entries.sort()) hash.update(entry);
  return hash.digest('hex');
}
