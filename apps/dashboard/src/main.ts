/** The dashboard's entry: the session, the layout, and hash routing to pages. */
import { createApi } from './api.js';
import { h } from './dom.js';
import type { PageContext } from './page.js';
import { describeError } from './page.js';
import { renderActivity } from './pages/activity.js';
import { renderApps } from './pages/apps.js';
import { renderBuilds } from './pages/builds.js';
import { renderConfigVars } from './pages/config-vars.js';
import { renderDomains } from './pages/domains.js';
import { renderPipeline } from './pages/pipeline.js';
import { renderDrains } from './pages/drains.js';
import { renderLogs } from './pages/logs.js';
import { renderMetrics } from './pages/metrics.js';
import { renderOverview } from './pages/overview.js';
import { renderProcesses } from './pages/processes.js';
import { renderReleases } from './pages/releases.js';
import { renderResources } from './pages/resources.js';
import { renderSignIn } from './pages/sign-in.js';
import type { AppTab, Route } from './route.js';
import { APP_TABS, TAB_LABELS, parseRoute, routeHref } from './route.js';
import type { Session } from './session.js';
import { clearSession, loadSession, saveSession } from './session.js';

const APP_PAGES: Readonly<Record<AppTab, (context: PageContext & { app: string; build?: string }) => Node>> = {
  overview: renderOverview,
  processes: renderProcesses,
  releases: renderReleases,
  'config-vars': renderConfigVars,
  builds: renderBuilds,
  logs: renderLogs,
  metrics: renderMetrics,
  resources: renderResources,
  domains: renderDomains,
  pipeline: renderPipeline,
  drains: renderDrains,
  activity: renderActivity,
};

const root = document.getElementById('root') ?? document.body;
let current: AbortController | undefined;

function signOut(): void {
  clearSession();
  location.hash = '#/sign-in';
}

function header(session: Session | undefined): HTMLElement {
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/apps' }, 'paas'),
    session
      ? h(
          'div',
          { class: 'account' },
          h('span', { class: 'muted' }, `Signed in as ${session.account}`),
          h('button', { type: 'button', onclick: signOut }, 'Sign out'),
        )
      : null,
  );
}

function appNav(app: string, tab: AppTab): HTMLElement {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': `${app} sections` },
    h(
      'ul',
      null,
      APP_TABS.map((name) =>
        h('li', null, h('a', { href: routeHref({ page: 'app', app, tab: name }), 'aria-current': name === tab ? 'page' : undefined }, TAB_LABELS[name])),
      ),
    ),
  );
}

function render(): void {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const route: Route = parseRoute(location.hash);
  const session = loadSession();

  if (!session || route.page === 'sign-in') {
    if (session && route.page === 'sign-in') {
      location.hash = '#/apps';
      return;
    }
    const after = route.page === 'sign-in' ? '#/apps' : location.hash || '#/apps';
    document.title = 'Sign in · paas';
    root.replaceChildren(
      header(undefined),
      h(
        'main',
        { id: 'main' },
        renderSignIn((signedIn) => {
          saveSession(signedIn);
          if (location.hash === after) render();
          else location.hash = after;
        }),
      ),
    );
    return;
  }

  const alertBox = h('div', { class: 'alert', role: 'alert' });
  const context: PageContext = {
    api: createApi(session.token, signOut),
    signal: controller.signal,
    alert: (error) => {
      alertBox.textContent = error === undefined ? '' : describeError(error);
    },
    navigate: (href) => {
      location.hash = href;
    },
  };
  const main = h('main', { id: 'main' });
  if (route.page === 'app') {
    document.title = `${route.app} · ${TAB_LABELS[route.tab]} · paas`;
    main.append(
      h('p', { class: 'crumbs' }, h('a', { href: '#/apps' }, 'Apps'), ' / '),
      h('h1', null, route.app),
      appNav(route.app, route.tab),
      alertBox,
      APP_PAGES[route.tab]({ ...context, app: route.app, ...(route.build === undefined ? {} : { build: route.build }) }),
    );
  } else if (route.page === 'apps') {
    document.title = 'Apps · paas';
    main.append(alertBox, renderApps(context));
  } else {
    document.title = 'Not found · paas';
    main.append(h('h1', null, 'Not found'), h('p', null, 'There is no such page. ', h('a', { href: '#/apps' }, 'Back to the apps')));
  }
  root.replaceChildren(header(session), main);
}

window.addEventListener('hashchange', render);
render();
