/** Hash routes (`#/apps/demo/releases`): browser URLs never meet the API's paths. Pure. */

export const APP_TABS = ['overview', 'processes', 'releases', 'config-vars', 'builds', 'logs', 'metrics', 'resources', 'domains', 'drains', 'pipeline', 'activity'] as const;
export type AppTab = (typeof APP_TABS)[number];

export const TAB_LABELS: Readonly<Record<AppTab, string>> = {
  overview: 'Overview',
  processes: 'Processes',
  releases: 'Releases',
  'config-vars': 'Config vars',
  builds: 'Builds',
  logs: 'Logs',
  metrics: 'Metrics',
  resources: 'Resources',
  domains: 'Domains',
  drains: 'Drains',
  pipeline: 'Pipeline',
  activity: 'Activity',
};

export type Route =
  | { readonly page: 'sign-in' }
  | { readonly page: 'apps' }
  | { readonly page: 'app'; readonly app: string; readonly tab: AppTab; readonly build?: string }
  | { readonly page: 'not-found' };

const APP_NAME = /^(?=.{3,30}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const BUILD_ID = /^[A-Za-z0-9-]{1,64}$/;

const isTab = (value: string): value is AppTab => (APP_TABS as readonly string[]).includes(value);

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    // A malformed escape (`%E0%A4%A`) is simply not a route.
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+|\/+$/g, '');
  const parts = path === '' ? [] : path.split('/').map(decode);
  if (parts.some((part) => part === undefined)) return { page: 'not-found' };
  const [first, app, tab, build, ...rest] = parts as string[];
  if (first === undefined || (first === 'apps' && app === undefined)) return { page: 'apps' };
  if (first === 'sign-in' && app === undefined) return { page: 'sign-in' };
  if (first !== 'apps' || app === undefined || !APP_NAME.test(app) || rest.length > 0) return { page: 'not-found' };
  if (tab === undefined) return { page: 'app', app, tab: 'overview' };
  if (!isTab(tab)) return { page: 'not-found' };
  if (build === undefined) return { page: 'app', app, tab };
  if (tab !== 'builds' || !BUILD_ID.test(build)) return { page: 'not-found' };
  return { page: 'app', app, tab, build };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'sign-in':
      return '#/sign-in';
    case 'apps':
    case 'not-found':
      return '#/apps';
    case 'app': {
      const base = `#/apps/${encodeURIComponent(route.app)}`;
      if (route.tab === 'overview' && route.build === undefined) return base;
      return `${base}/${route.tab}${route.build === undefined ? '' : `/${encodeURIComponent(route.build)}`}`;
    }
  }
}
