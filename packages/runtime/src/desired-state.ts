import type { FormationEntry } from '@paas/core';

import type { SlugRef } from './driver.js';

/** What a release runs: its slug, its process types and its config. */
export interface ReleaseSpec {
  readonly version: number;
  readonly slug: SlugRef;
  readonly processTypes: Readonly<Record<string, string>>;
  readonly configVars: Readonly<Record<string, string>>;
  readonly commit: string | null;
}

export interface AppSpec {
  readonly app: string;
  /** The release that should be serving; null before the first deploy. */
  readonly current: ReleaseSpec | null;
  readonly formation: readonly FormationEntry[];
}

/** Where the process manager reads what should run (paasd answers from the store). */
export interface DesiredState {
  apps(): string[];
  app(name: string): AppSpec | undefined;
  release(app: string, version: number): ReleaseSpec | undefined;
  /** The formation `release` runs with: its process types, the quantities the app set. */
  formation(app: string, release: ReleaseSpec): readonly FormationEntry[];
}

/** The environment of a process: config vars, then the platform's own variables. */
export function processEnv(app: string, release: ReleaseSpec, name: string): Record<string, string> {
  return {
    ...release.configVars,
    DYNO: name,
    PAAS_APP_NAME: app,
    PAAS_RELEASE_VERSION: `v${String(release.version)}`,
    ...(release.commit ? { SOURCE_VERSION: release.commit } : {}),
  };
}
