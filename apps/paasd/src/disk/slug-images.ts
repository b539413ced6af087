import type Docker from 'dockerode';

import type { DiskItem } from './disk-plan.js';

/** The slug images (`paas/slug:*`, labelled `paas.slug=<sha256>`) on the engine, and their removal. */
export interface SlugImages {
  list(): Promise<DiskItem[]>;
  /** Removes the image unless a container (running or not) still uses it: then false. */
  remove(name: string): Promise<boolean>;
}

const SLUG_LABEL = 'paas.slug';

export function createSlugImages(docker: Docker, stackImage: string): SlugImages {
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
      try {
        await docker.getImage(name).remove();
        return true;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404) return true; // gone already
        if (status === 409) return false; // a container uses it
        throw error;
      }
    },
  };
}
