import type Docker from 'dockerode';

import type { DiskItem } from './disk-plan.js';

/**
 * The slug images (`paas/slug:*`, labelled `paas.slug=<sha256>`) and runtime images
 * (`paas/runtime:*`, labelled `paas.layer=<sha256>` only: slug images over them inherit
 * that label) on the engine, and their removal. Runtime images come last, so a collection
 * removes the slug images over one before the runtime image itself.
 */
export interface SlugImages {
  list(): Promise<DiskItem[]>;
  /** Removes the image unless a container (running or not) still uses it: then false. */
  remove(name: string): Promise<boolean>;
}

const SLUG_LABEL = 'paas.slug';
const LAYER_LABEL = 'paas.layer';
const SHA256 = /^[0-9a-f]{64}$/;

/** Removes one tag of an image: true once gone, false while a container uses it. */
async function removeTag(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).remove();
    return true;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return true; // gone already
    if (status === 409) return false; // a container uses it
    throw error;
  }
}

/**
 * `registry` (Swarm on several nodes, PAAS_SWARM_REGISTRY): each slug image is also tagged
 * `<registry>/paas/slug:…` and pushed there; removing it removes that tag too. The copies
 * elsewhere (the registry's manifest and blobs, the nodes' images) are the runtime driver's
 * to remove (`removeSlugCopies`), which the collector asks for after a collection.
 */
export function createSlugImages(docker: Docker, stackImage: string, registry?: string): SlugImages {
  return {
    async list() {
      const [images, runtimes, stackBytes] = await Promise.all([
        docker.listImages({ filters: JSON.stringify({ label: [SLUG_LABEL] }) }),
        docker.listImages({ filters: JSON.stringify({ label: [LAYER_LABEL] }) }),
        docker
          .getImage(stackImage)
          .inspect()
          .then((info) => info.Size)
          // No stack image: the slug images' sizes then include it (an overestimate, said nowhere worse).
          .catch(() => 0),
      ]);
      const runtimeImages = runtimes.filter((image) => image.Labels?.[SLUG_LABEL] === undefined && SHA256.test(image.Labels?.[LAYER_LABEL] ?? ''));
      const runtimeBytes = new Map(runtimeImages.map((image) => [image.Labels?.[LAYER_LABEL] ?? '', image.Size]));
      const slugItems = images.flatMap((image) => {
        const slug = image.Labels?.[SLUG_LABEL];
        const name = image.RepoTags?.find((tag) => tag.startsWith('paas/slug:')) ?? image.Id;
        // A slug image is its base (the stack, or the runtime image over it) plus one layer of the slug: its own bytes are the difference.
        const layer = image.Labels?.[LAYER_LABEL];
        const base = layer === undefined ? undefined : runtimeBytes.get(layer);
        return slug && SHA256.test(slug) ? [{ kind: 'image' as const, slug, name, bytes: Math.max(0, image.Size - (base ?? stackBytes)) }] : [];
      });
      const runtimeItems = runtimeImages.map((image) => ({
        kind: 'image' as const,
        slug: image.Labels?.[LAYER_LABEL] ?? '',
        name: image.RepoTags?.find((tag) => tag.startsWith('paas/runtime:')) ?? image.Id,
        bytes: Math.max(0, image.Size - stackBytes),
      }));
      return [...slugItems, ...runtimeItems];
    },
    async remove(name) {
      if (registry === undefined) return removeTag(docker, name);
      return (await removeTag(docker, `${registry}/${name}`)) && removeTag(docker, name);
    },
  };
}
