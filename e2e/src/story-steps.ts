import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

import type { Page } from 'playwright-core';

import { saveScreenshot } from './browser.js';
import { RESULTS_DIR } from './paths.js';

const OUTPUT_TAIL_LINES = 80;

/** paasd's output without the access lines of requests that went well: the dashboard polls a lot. */
function notableLines(output: string): string[] {
  return output
    .trimEnd()
    .split('\n')
    .filter((line) => !line.includes('"msg":"incoming request"') && !/"statusCode":[123]\d\d\}.*"msg":"request completed"/.test(line));
}

export interface StoryContext {
  /** The page to photograph when a step fails. */
  readonly page: () => Page | undefined;
  /** paasd's output so far. */
  readonly output: () => string;
}

/**
 * Steps of one story: each runs only while every earlier one passed (a later step
 * needs what an earlier one made), and a failure is reported with a screenshot of the
 * page and the end of paasd's output.
 */
export function createStory(context: StoryContext): (name: string, body: () => Promise<void>) => (t: TestContext) => Promise<void> {
  let failed: string | undefined;
  return (name, body) => async (t) => {
    if (failed !== undefined) return t.skip(`the step "${failed}" failed`);
    try {
      await body();
    } catch (error) {
      failed = name;
      const page = context.page();
      const shot = page ? await saveScreenshot(page, `failed-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => 'none (no page to photograph)') : 'none';
      const tail = notableLines(context.output()).slice(-OUTPUT_TAIL_LINES).join('\n');
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\nscreenshot: ${shot}\n--- paasd's last ${String(OUTPUT_TAIL_LINES)} lines (requests that succeeded left out; all of it in e2e/results/paasd.log) ---\n${tail}`, { cause: error });
    }
  };
}

/** Keeps paasd's whole output beside the screenshots. */
export async function saveOutput(name: string, text: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, name), text);
}
