import { randomUUID } from 'node:crypto';

import type { Db } from './database.js';
import { now } from './database.js';

/** Metadata of a built slug; the bytes live in the blob store under `checksum`. */
export interface SlugRecord {
  readonly id: string;
  readonly appId: string;
  /** sha256 of the slug's bytes, hex. */
  readonly checksum: string;
  /** Process types in Procfile order: type → command. */
  readonly processTypes: Readonly<Record<string, string>>;
  readonly buildpacks: readonly string[];
  readonly commit: string | null;
  readonly size: number;
  readonly stack: string;
  /** The runtime layer it runs on (the layer file's sha256); null: the slug holds everything. */
  readonly runtimeLayer: string | null;
  readonly createdAt: string;
}

export type NewSlug = Omit<SlugRecord, 'id' | 'createdAt' | 'runtimeLayer'> & { readonly runtimeLayer?: string | null };

interface SlugRow {
  id: string;
  app_id: string;
  checksum: string;
  process_types: string;
  buildpacks: string;
  commit_sha: string | null;
  size: number;
  stack: string;
  runtime_layer: string | null;
  created_at: string;
}

export interface SlugRecordStore {
  create(slug: NewSlug): SlugRecord;
  get(id: string): SlugRecord | undefined;
  /** Checksums of slugs still referenced by some app, for blob clean-up. */
  checksumsInUse(): Set<string>;
}

function toSlug(row: SlugRow): SlugRecord {
  return {
    id: row.id,
    appId: row.app_id,
    checksum: row.checksum,
    processTypes: JSON.parse(row.process_types) as Record<string, string>,
    buildpacks: JSON.parse(row.buildpacks) as string[],
    commit: row.commit_sha,
    size: row.size,
    stack: row.stack,
    runtimeLayer: row.runtime_layer,
    createdAt: row.created_at,
  };
}

export function createSlugRecordStore(db: Db): SlugRecordStore {
  const insert = db.prepare(
    `INSERT INTO slugs (id, app_id, checksum, process_types, buildpacks, commit_sha, size, stack, runtime_layer, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[string], SlugRow>('SELECT * FROM slugs WHERE id = ?');
  const checksums = db.prepare<[], { checksum: string }>('SELECT DISTINCT checksum FROM slugs');
  return {
    create(slug) {
      const id = randomUUID();
      const createdAt = now();
      insert.run(
        id,
        slug.appId,
        slug.checksum,
        JSON.stringify(slug.processTypes),
        JSON.stringify(slug.buildpacks),
        slug.commit,
        slug.size,
        slug.stack,
        slug.runtimeLayer ?? null,
        createdAt,
      );
      return { ...slug, runtimeLayer: slug.runtimeLayer ?? null, id, createdAt };
    },
    get(id) {
      const row = byId.get(id);
      return row ? toSlug(row) : undefined;
    },
    checksumsInUse() {
      return new Set(checksums.all().map((row) => row.checksum));
    },
  };
}
