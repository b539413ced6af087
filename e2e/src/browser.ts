import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

import { PAASD_MAIN, RESULTS_DIR } from './paths.js';

/** Debian's Chromium; CI installs the `chromium` package. `PAAS_E2E_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.PAAS_E2E_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Chromium on this host, with `*.<domain>` resolved to 127.0.0.1 so app URLs reach the
 * router. Background networking, sync, component updates and QUIC are off: they would
 * only try to reach Google's servers.
 */
export function launchChromium(domain: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP *.${domain} 127.0.0.1`,
    ],
  });
}

/** Saves a full-page screenshot as `e2e/results/<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The `skip` of a browser suite: the reason it cannot run here (paasd not built, no
 * Chromium) on a developer machine; never in CI, where a missing piece must fail the run.
 */
export function browserSuiteSkip(): string | false {
  let missing: string | undefined;
  if (!existsSync(PAASD_MAIN)) missing = `paasd is not built (${PAASD_MAIN} is missing): run npx tsc -b first`;
  else if (!existsSync(CHROMIUM_PATH)) missing = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
  return missing !== undefined && !process.env.CI ? missing : false;
}
