/** An app's processes: state, age, release; restart one, stop one, or restart all. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { formatDuration, relativeTime } from '../time-format.js';
import type { DynoResource } from '../types.js';
import { messageLine, runAction, stateBadge, table } from '../ui.js';

export function renderProcesses(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading processes…'));
  const message = messageLine();
  const act = (button: HTMLButtonElement, method: 'POST' | 'DELETE', path: string, done: string): void => {
    void runAction(
      button,
      async () => {
        await context.api.send(method, path);
        message.show(done);
        poller.refresh();
      },
      (error) => message.show(errorMessage(error), 'bad'),
    );
  };
  const render = (dynos: DynoResource[]): Node[] => {
    const now = Date.now();
    return [
      table(
        'Processes',
        ['Process', 'State', 'Age', 'Release', 'Command', 'Actions'],
        dynos.map((dyno) => {
          const restart = h('button', { type: 'button' }, 'Restart');
          restart.addEventListener('click', () => act(restart, 'DELETE', apiPath('apps', context.app, 'dynos', dyno.name), `Restarting ${dyno.name}.`));
          const stop = h('button', { type: 'button' }, 'Stop');
          stop.addEventListener('click', () =>
            act(stop, 'POST', `${apiPath('apps', context.app, 'dynos', dyno.name)}/actions/stop`, `Stopped ${dyno.name}; the formation brings it back unless scaled down.`),
          );
          return [
            h('strong', null, dyno.name),
            [stateBadge(dyno.state), dyno.restart_at ? h('span', { class: 'muted' }, ` restarts ${relativeTime(dyno.restart_at, now)}`) : null],
            formatDuration(now - Date.parse(dyno.created_at), 1),
            `v${String(dyno.release.version)}`,
            h('code', null, dyno.command),
            h('div', { class: 'row-actions' }, restart, stop),
          ];
        }),
        'No processes are running. Scale the formation on the Overview page, or deploy first.',
      ),
    ];
  };
  const poller = liveRegion(list, {
    load: async () => {
      const dynos = await context.api.get<DynoResource[]>(apiPath('apps', context.app, 'dynos'));
      context.alert(undefined);
      return dynos;
    },
    render,
    intervalMs: 3000,
    signal: context.signal,
    onError: context.alert,
  });
  const restartAll = h('button', { type: 'button' }, 'Restart all');
  restartAll.addEventListener('click', () => act(restartAll, 'DELETE', apiPath('apps', context.app, 'dynos'), 'Restarting every process.'));
  return h(
    'section',
    { 'aria-labelledby': 'processes-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'processes-heading' }, 'Processes'), restartAll),
    message.element,
    list,
  );
}
