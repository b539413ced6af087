import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { formatBytes } from './build-log.js';
import type { Build } from './build-workspace.js';
import type { BuiltRuntimeLayer, BuiltSlug } from './build-types.js';
import type { PreparedBuildpack } from './buildpack-run.js';
import { startLayerUnpack } from './layer-unpack.js';
import { type RuntimeLayerDeclaration, RuntimeLayerError, readRuntimeLayer, runtimeLayerHash, surveyRuntimeLayer } from './runtime-layer.js';

// The last build stages: the runtime layer the packs declare, then the slug of the rest.

/** The packs' runtime layer, stored unless it is already; undefined: the slug holds everything. */
export async function storeRuntimeLayer(build: Build, packs: readonly PreparedBuildpack[]): Promise<BuiltRuntimeLayer | undefined> {
  const store = build.options.runtimeLayers;
  if (store === undefined) return undefined;
  build.step = 'storing the runtime layer';
  const appDir = build.dir('app');
  let layer: RuntimeLayerDeclaration | undefined;
  try {
    layer = await readRuntimeLayer(packs.map((pack) => pack.dir), appDir);
  } catch (error) {
    if (!(error instanceof RuntimeLayerError)) throw error;
    // A pack's mistake costs only the sharing: the slug then holds its runtime itself.
    build.log.detail(`The buildpack's runtime-layer file is not usable (${error.message}); the runtime goes into the slug.`);
    return undefined;
  }
  if (layer === undefined) return undefined;
  await build.checkLinks();
  const survey = store.recall ? await surveyRuntimeLayer(appDir, layer, build.stack, build.signal) : undefined;
  const recalled = survey === undefined ? undefined : await store.recall?.(survey);
  if (recalled !== undefined) {
    build.log.detail(`Runtime ${layer.key}: a shared layer, stored already`);
    return { id: recalled, key: layer.key, paths: layer.paths, packed: false };
  }
  // One pass over the runtime: packed while its digest is taken (the digest of exactly the
  // bytes packed, which is what other apps' builds find a layer by: a process of the build
  // that outlived its step cannot make the index lie). When a layer with that digest is
  // stored already the new file is dropped; its compression cost little, since the stored
  // layer's gzip members are in the member cache.
  const file = join(build.work, `runtime-layer-${randomUUID()}.tgz`);
  const keep = build.options.keepLayerDir;
  const unpack = keep ? await startLayerUnpack(build.options.workRoot ?? tmpdir()) : undefined;
  try {
    const hash = runtimeLayerHash(layer, build.stack);
    const info = await build.packTree(file, { only: layer.paths, tarHash: hash, ...(unpack ? { tee: unpack.input } : {}) });
    const digest = hash.digest('hex');
    const found = await store.find(digest);
    const id = found ?? (await store.record(file, digest));
    if (survey !== undefined) await store.remember?.(survey, id);
    build.log.detail(found === undefined ? `Runtime ${layer.key}: a shared layer, stored (${formatBytes(info.size)})` : `Runtime ${layer.key}: a shared layer, stored already`);
    const unpacked = await unpack?.finish();
    if (keep && unpacked !== undefined) await keep(id, unpacked);
    return { id, key: layer.key, paths: layer.paths, packed: found === undefined };
  } finally {
    await rm(file, { force: true });
    await unpack?.dispose();
  }
}

export async function packAppSlug(build: Build, runtimeLayer: BuiltRuntimeLayer | undefined): Promise<BuiltSlug> {
  build.step = 'compressing the slug';
  build.log.step('Compressing...');
  const file = build.options.slugFile ?? join(build.options.workRoot ?? tmpdir(), `paas-slug-${randomUUID()}.tgz`);
  const info = await build.packTree(file, runtimeLayer ? { without: runtimeLayer.paths } : {});
  build.log.detail(`Done: ${formatBytes(info.size)}`);
  if (runtimeLayer) {
    // What may be kept as the unpacked slug is the app layer alone: its runtime lives in the layer.
    for (const [index, path] of runtimeLayer.paths.entries()) await rename(join(build.dir('app'), path), join(build.work, `layer-copy-${String(index)}`));
  }
  return { ...info, file, ...(runtimeLayer ? { runtimeLayer } : {}) };
}
