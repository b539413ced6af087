import { join } from 'node:path';

/** e2e/, whether this runs from src (never) or from dist/src. */
export const E2E_ROOT = join(import.meta.dirname, '..', '..');
export const REPO_ROOT = join(E2E_ROOT, '..');
/** Screenshots and paasd's output of the last run; ignored by git and eslint. */
export const RESULTS_DIR = join(E2E_ROOT, 'results');
export const FIXTURES_DIR = join(REPO_ROOT, 'fixtures');
export const PAASD_BIN = join(REPO_ROOT, 'apps', 'paasd', 'bin', 'paasd.js');
export const PAASD_MAIN = join(REPO_ROOT, 'apps', 'paasd', 'dist', 'src', 'main.js');
