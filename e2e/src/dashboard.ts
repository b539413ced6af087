import type { Locator, Page } from 'playwright-core';

import { eventually } from './eventually.js';

/** The dashboard, driven by what a user reads: labels, roles and visible text. */
export interface Dashboard {
  readonly page: Page;
  readonly signIn: (token: string) => Promise<void>;
  /** Creates the app with the form on the apps page and opens its overview. */
  readonly createApp: (name: string) => Promise<void>;
  /** Clicks one of the app's section links ("Overview", "Releases", …) and waits for its route. */
  readonly openTab: (label: string) => Promise<void>;
  /** A table cell whose whole text is `text`. */
  readonly cell: (text: string) => Locator;
  /** The table row holding a cell whose whole text is `text`. */
  readonly row: (text: string) => Locator;
  /** The line under a form that says how an action went. */
  readonly status: (text: string | RegExp) => Locator;
}

export function createDashboard(page: Page): Dashboard {
  const cell = (text: string): Locator => page.getByRole('cell', { name: text, exact: true });
  return {
    page,
    signIn: async (token) => {
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(/^Signed in as /).waitFor();
    },
    createApp: async (name) => {
      await page.getByLabel('App name').fill(name);
      await page.getByRole('button', { name: 'Create app' }).click();
      await page.getByRole('status').filter({ hasText: `Created ${name}.` }).waitFor();
      await page.getByRole('link', { name, exact: true }).click();
      await page.waitForURL((url) => url.hash === `#/apps/${name}`);
    },
    openTab: async (label) => {
      const link = page.getByRole('navigation').getByRole('link', { name: label, exact: true });
      await link.click();
      await link.and(page.locator('[aria-current="page"]')).waitFor();
    },
    cell,
    row: (text) => page.getByRole('row').filter({ has: cell(text) }),
    status: (text) => page.getByRole('status').filter({ hasText: text }),
  };
}

/** What the node-web fixture answers with. */
export interface NodeWebAnswer {
  readonly app: string;
  readonly dyno: string | null;
  readonly greeting: string | null;
}

/**
 * Asks the app's URL from inside `tab` (on the app's origin: navigated there first when it
 * is not) until the JSON answer satisfies `accept`. A router error page (no process up
 * yet, a release rolling out) counts as "not yet". Each poll is one `fetch`: a navigation
 * would also ask for /favicon.ico, and two requests per round would always meet the same
 * process of a round-robin pair.
 */
export function waitForAnswer(tab: Page, url: string, what: string, accept: (answer: NodeWebAnswer) => boolean, timeoutMs: number): Promise<NodeWebAnswer> {
  return eventually(
    async () => {
      if (new URL(tab.url()).origin !== new URL(url).origin) await tab.goto(url);
      const { status, text } = await tab.evaluate(async (target) => {
        const response = await fetch(target, { cache: 'no-store' });
        return { status: response.status, text: await response.text() };
      }, url);
      if (status !== 200) return undefined;
      const answer = JSON.parse(text) as NodeWebAnswer;
      return accept(answer) ? answer : undefined;
    },
    { what, timeoutMs, intervalMs: 500 },
  );
}
