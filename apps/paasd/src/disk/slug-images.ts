import type Docker from 'dockerode';

import { removeFromRegistry } from '@paas/runtime';

import type { DiskItem } from './disk-plan.js';

/** The slug images (`paas/slug:*`, labelled `paas.slug=<sha256>`) on the engine, and their removal. */
export interface SlugImages {
  list(): Promise<DiskItem[]>;
  /** Removes the image unless a container (running or not) still uses it: then false. */
  remove(name: string): Promise<boolean>;
}

const SLUG_LABEL = 'paas.slug';

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
 * `<registry>/paas/slug:…` and pushed there; removing it removes that tag and the registry's
 * manifest too, so the registry holds only the slugs the disk collector keeps.
 */
export function createSlugImages(docker: Docker, stackImage: string, registry?: string): SlugImages {
  return {
    async list() {
      const [images, stackBytes] = await Promise.all([
        docker.listImages({ filters: JSON.stringify({ label: [SLUG_LABEL] }) }),
        docker
          .getImage(stackImage)
          .inspect()
          .then((info) => info.Size)
          // No stack image: the slug images' sizes then include it (an overestimate, said nowhere worse).
          .catch(() => 0),
      ]);
      return images.flatMap((image) => {
        const slug = image.Labels?.[SLUG_LABEL];
        const name = image.RepoTags?.find((tag) => tag.startsWith('paas/slug:')) ?? image.Id;
        // Each slug image is the stack plus one layer of the slug: its own bytes are the difference.
        return slug && /^[0-9a-f]{64}$/.test(slug) ? [{ kind: 'image' as const, slug, name, bytes: Math.max(0, image.Size - stackBytes) }] : [];
      });
    },
    async remove(name) {
      if (registry === undefined) return removeTag(docker, name);
      if (!(await removeTag(docker, `${registry}/${name}`)) || !(await removeTag(docker, name))) return false;
      const [repository, tag] = name.split(':') as [string, string | undefined];
      // Its layers are freed by the registry's garbage collection (docs/swarm.md).
      if (tag !== undefined) await removeFromRegistry(registry, repository, tag);
      return true;
    },
  };
}
