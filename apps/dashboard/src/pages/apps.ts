/** Every app: its processes' state, current release, URL and last deploy; and creating one. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { summarizeDynos } from '../dyno-summary.js';
import { liveRegion } from '../live.js';
import type { PageContext } from '../page.js';
import { routeHref } from '../route.js';
import { relativeTime } from '../time-format.js';
import type { AppResource, BuildResource, DynoResource } from '../types.js';
import { badge, field, messageLine, table } from '../ui.js';

interface AppRow {
  readonly app: AppResource;
  readonly dynos: readonly DynoResource[] | undefined;
  readonly lastBuild: BuildResource | undefined;
}

export async function loadLastDeploy(api: PageContext['api'], app: string): Promise<BuildResource | undefined> {
  const builds = await api.get<BuildResource[]>(apiPath('apps', app, 'builds'));
  return builds.find((build) => build.status === 'succeeded');
}

export function lastDeployText(build: BuildResource | undefined, now: number): string {
  if (!build) return 'never';
  const release = build.release ? `v${String(build.release.version)}, ` : '';
  return `${release}${relativeTime(build.finished_at ?? build.created_at, now)}`;
}

function createForm(context: PageContext, onCreated: () => void): HTMLElement {
  const name = h('input', { id: 'new-app-name', autocomplete: 'off', spellcheck: 'false', pattern: '[a-z][a-z0-9-]{1,29}', placeholder: 'optional: a name is made up' });
  const message = messageLine();
  const submit = h('button', { type: 'submit' }, 'Create app');
  return h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'Create an app',
      onsubmit: (event) => {
        event.preventDefault();
        submit.disabled = true;
        const wanted = name.value.trim();
        context.api
          .send<AppResource>('POST', '/apps', wanted === '' ? {} : { name: wanted })
          .then(({ body }) => {
            name.value = '';
            message.show(`Created ${body.name}. Push with: git push ${body.git_url} main`);
            onCreated();
          })
          .catch((error: unknown) => message.show(errorMessage(error), 'bad'))
          .finally(() => {
            submit.disabled = false;
          });
      },
    },
    field('App name', name),
    submit,
    message.element,
  );
}

export function renderApps(context: PageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading apps…'));
  const load = async (): Promise<AppRow[]> => {
    const apps = await context.api.get<AppResource[]>('/apps');
    context.alert(undefined);
    return Promise.all(
      apps.map(async (app) => {
        const [dynos, lastBuild] = await Promise.all([
          context.api.get<DynoResource[]>(apiPath('apps', app.name, 'dynos')).catch(() => undefined),
          loadLastDeploy(context.api, app.name).catch(() => undefined),
        ]);
        return { app, dynos, lastBuild };
      }),
    );
  };
  const render = (rows: AppRow[]): Node[] => {
    const now = Date.now();
    return [
      table(
        'Apps',
        ['App', 'State', 'Release', 'URL', 'Last deploy'],
        rows.map(({ app, dynos, lastBuild }) => {
          const summary = dynos ? summarizeDynos(dynos) : undefined;
          return [
            h('a', { href: routeHref({ page: 'app', app: app.name, tab: 'overview' }) }, app.name),
            [summary ? badge(summary.text, summary.tone) : badge('unknown', 'idle'), app.maintenance ? badge('maintenance', 'warn') : null],
            app.current_release ? `v${String(app.current_release.version)}` : '',
            h('a', { href: app.web_url, rel: 'noopener noreferrer', target: '_blank' }, app.web_url),
            lastDeployText(lastBuild, now),
          ];
        }),
        'No apps yet: create one below, or with `paas apps:create`.',
      ),
    ];
  };
  const poller = liveRegion(list, { load, render, intervalMs: 5000, signal: context.signal, onError: context.alert });
  return h(
    'section',
    { 'aria-labelledby': 'apps-heading' },
    h('h1', { id: 'apps-heading' }, 'Apps'),
    list,
    h('h2', null, 'Create an app'),
    createForm(context, () => poller.refresh()),
  );
}
