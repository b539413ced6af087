import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { formatBytes } from './build-log.js';
import type { Build } from './build-workspace.js';
import type { BuiltRuntimeLayer, BuiltSlug } from './build-types.js';
import type { PreparedBuildpack } from './buildpack-run.js';
import { type RuntimeLayerDeclaration, RuntimeLayerError, digestRuntimeLayer, readRuntimeLayer, runtimeLayerHash, surveyRuntimeLayer } from './runtime-layer.js';

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
  const survey = store.recall ? await surveyRuntimeLayer(appDir, layer, build.stack) : undefined;
  const recalled = survey === undefined ? undefined : await store.recall?.(survey);
  if (recalled !== undefined) {
    build.log.detail(`Runtime ${layer.key}: a shared layer, stored already`);
    return { id: recalled, key: layer.key, paths: layer.paths, packed: false };
  }
  const digest = await digestRuntimeLayer(appDir, layer, build.stack, build.signal);
  const found = await store.find(digest);
  if (found !== undefined) {
    if (survey !== undefined) await store.remember?.(survey, found);
    build.log.detail(`Runtime ${layer.key}: a shared layer, stored already`);
    return { id: found, key: layer.key, paths: layer.paths, packed: false };
  }
  const file = join(build.work, `runtime-layer-${randomUUID()}.tgz`);
  try {
    // Indexed by the digest of the bytes packed, not of those read before: a process of the
    // build that outlived its step could change the runtime in between, and the index is
    // what other apps' builds find a layer by.
    const packed = runtimeLayerHash(layer, build.stack);
    const info = await build.packTree(file, { only: layer.paths, tarHash: packed });
    const packedDigest = packed.digest('hex');
    if (packedDigest !== digest) build.log.detail('The runtime changed while it was stored; the layer is the one stored.');
    const id = await store.record(file, packedDigest);
    if (survey !== undefined) await store.remember?.(survey, id);
    build.log.detail(`Runtime ${layer.key}: a shared layer, stored (${formatBytes(info.size)})`);
    return { id, key: layer.key, paths: layer.paths, packed: true };
  } finally {
    await rm(file, { force: true });
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
