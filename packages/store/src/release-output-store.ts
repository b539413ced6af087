import type { Db } from './database.js';

/** What release phases printed, kept with their release (Heroku's `output_stream_url`). */
export interface ReleaseOutputStore {
  /** Capped like build output: a release command that prints without end is cut off. */
  set(releaseId: string, output: string): void;
  get(releaseId: string): string | undefined;
  /** Which of an app's releases have output, for listing them without reading it all. */
  releasesWithOutput(appId: string): Set<string>;
}

export const MAX_RELEASE_OUTPUT_CHARS = 1024 * 1024;

export function createReleaseOutputStore(db: Db): ReleaseOutputStore {
  const upsert = db.prepare('INSERT INTO release_outputs (release_id, output) VALUES (?, ?) ON CONFLICT (release_id) DO UPDATE SET output = excluded.output');
  const select = db.prepare<[string], { output: string }>('SELECT output FROM release_outputs WHERE release_id = ?');
  const ids = db.prepare<[string], { release_id: string }>(
    'SELECT o.release_id FROM release_outputs o JOIN releases r ON r.id = o.release_id WHERE r.app_id = ?',
  );
  return {
    set(releaseId, output) {
      const capped = output.length > MAX_RELEASE_OUTPUT_CHARS ? `${output.slice(0, MAX_RELEASE_OUTPUT_CHARS)}\n[release output truncated]\n` : output;
      upsert.run(releaseId, capped);
    },
    get: (releaseId) => select.get(releaseId)?.output,
    releasesWithOutput: (appId) => new Set(ids.all(appId).map((row) => row.release_id)),
  };
}
