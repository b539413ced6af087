/** An app at a glance: URLs, current release, last deploy, formation with scale controls, maintenance, destroy. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { summarizeDynos } from '../dyno-summary.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { AppResource, BuildResource, DynoResource, FormationResource } from '../types.js';
import { PROCESS_SIZES } from '../types.js';
import { badge, confirmDialog, messageLine, runAction, table } from '../ui.js';
import { lastDeployText, loadLastDeploy } from './apps.js';

interface Overview {
  readonly app: AppResource;
  readonly dynos: readonly DynoResource[];
  readonly lastBuild: BuildResource | undefined;
}

type Message = ReturnType<typeof messageLine>;

function details(context: AppPageContext, { app, dynos, lastBuild }: Overview, onChange: () => void, message: Message): Node[] {
  const summary = summarizeDynos(dynos);
  const maintenance = h('input', {
    id: 'maintenance',
    type: 'checkbox',
    checked: app.maintenance,
    onchange: () => {
      const on = maintenance.checked;
      void runAction(
        undefined,
        async () => {
          await context.api.send('PATCH', apiPath('apps', app.name), { maintenance: on });
          message.show(on ? 'Maintenance mode is on: the router answers 503 without contacting the app.' : 'Maintenance mode is off.');
          onChange();
        },
        (error) => {
          maintenance.checked = !on;
          message.show(errorMessage(error), 'bad');
        },
      );
    },
  });
  const row = (term: string, ...value: (Node | string)[]): Node[] => [h('dt', null, term), h('dd', null, ...value)];
  return [
    h(
      'dl',
      { class: 'facts' },
      row('URL', h('a', { href: app.web_url, rel: 'noopener noreferrer', target: '_blank' }, app.web_url)),
      row('Git URL', h('code', null, app.git_url)),
      row('Current release', app.current_release ? `v${String(app.current_release.version)}` : 'none', app.released_at ? ` (${relativeTime(app.released_at, Date.now())})` : ''),
      row('Last deploy', lastDeployText(lastBuild, Date.now()), lastBuild?.source_blob.version ? h('code', null, ` ${lastBuild.source_blob.version.slice(0, 7)}`) : ''),
      row('Processes', badge(summary.text, summary.tone)),
    ),
    h('div', { class: 'field-inline' }, maintenance, h('label', { for: 'maintenance' }, 'Maintenance mode')),
  ];
}

function formationRows(context: AppPageContext, formation: readonly FormationResource[], onChange: () => void, message: Message): Node[] {
  const rows = formation.map((entry) => {
    const quantity = h('input', { id: `quantity-${entry.type}`, type: 'number', min: 0, max: 100, step: 1, value: entry.quantity, inputmode: 'numeric', 'aria-label': `${entry.type} quantity` });
    const size = h(
      'select',
      { id: `size-${entry.type}`, 'aria-label': `${entry.type} size` },
      PROCESS_SIZES.map((name) => h('option', { value: name, selected: name === entry.size }, name)),
    );
    const scale = h('button', { type: 'submit' }, 'Scale');
    const form = h(
      'form',
      {
        class: 'scale-form',
        'aria-label': `Scale ${entry.type}`,
        onsubmit: (event) => {
          event.preventDefault();
          const wanted = Number(quantity.value);
          if (!Number.isInteger(wanted) || wanted < 0 || wanted > 100) {
            message.show('A quantity is a whole number from 0 to 100.', 'bad');
            return;
          }
          void runAction(
            scale,
            async () => {
              await context.api.send('PATCH', apiPath('apps', context.app, 'formation'), { updates: [{ type: entry.type, quantity: wanted, size: size.value }] });
              message.show(`Scaled ${entry.type} to ${String(wanted)} × ${size.value}.`);
              (document.activeElement as HTMLElement | null)?.blur();
              onChange();
            },
            (error) => message.show(errorMessage(error), 'bad'),
          );
        },
      },
      quantity,
      size,
      scale,
    );
    return [h('strong', null, entry.type), h('code', null, entry.command), form];
  });
  return [table('Formation', ['Type', 'Command', 'Scale'], rows, 'No process types yet: they come from the Procfile of the first deploy.')];
}

function destroySection(context: AppPageContext): HTMLElement {
  const message = messageLine();
  const button = h('button', { type: 'button', class: 'danger' }, 'Destroy app');
  button.addEventListener('click', () => {
    void confirmDialog({
      title: `Destroy ${context.app}?`,
      message: 'This removes the app, its releases, config vars, builds, domains, drains and its git repository. It cannot be undone.',
      typeToConfirm: { label: 'Type the app name to confirm', value: context.app },
    }).then((confirmed) => {
      if (!confirmed) return;
      void runAction(
        button,
        async () => {
          await context.api.send('DELETE', apiPath('apps', context.app));
          context.navigate('#/apps');
        },
        (error) => message.show(errorMessage(error), 'bad'),
      );
    });
  });
  return h('section', { class: 'danger-zone', 'aria-labelledby': 'destroy-heading' }, h('h2', { id: 'destroy-heading' }, 'Destroy'), button, message.element);
}

export function renderOverview(context: AppPageContext): HTMLElement {
  const summary = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  const formation = h('div', { 'aria-busy': 'true' });
  const infoMessage = messageLine();
  const formationMessage = messageLine();
  const infoPoller = liveRegion(summary, {
    load: async (): Promise<Overview> => {
      const [app, dynos, lastBuild] = await Promise.all([
        context.api.get<AppResource>(apiPath('apps', context.app)),
        context.api.get<DynoResource[]>(apiPath('apps', context.app, 'dynos')),
        loadLastDeploy(context.api, context.app),
      ]);
      context.alert(undefined);
      return { app, dynos, lastBuild };
    },
    render: (data) => details(context, data, () => infoPoller.refresh(), infoMessage),
    intervalMs: 4000,
    signal: context.signal,
    onError: context.alert,
  });
  const formationPoller = liveRegion(formation, {
    load: () => context.api.get<FormationResource[]>(apiPath('apps', context.app, 'formation')),
    render: (data) =>
      formationRows(context, data, () => {
        formationPoller.refresh();
        infoPoller.refresh();
      }, formationMessage),
    intervalMs: 8000,
    signal: context.signal,
    onError: context.alert,
  });
  return h(
    'div',
    null,
    h('section', { 'aria-labelledby': 'overview-heading' }, h('h2', { id: 'overview-heading' }, 'Overview'), summary, infoMessage.element),
    h('section', { 'aria-labelledby': 'formation-heading' }, h('h2', { id: 'formation-heading' }, 'Formation'), formation, formationMessage.element),
    destroySection(context),
  );
}
