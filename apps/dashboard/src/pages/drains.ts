/** Log drains: where the app's log is also sent (syslog or HTTPS); list, add, remove. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { DrainResource } from '../types.js';
import { field, messageLine, runAction, table } from '../ui.js';

export function renderDrains(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading drains…'));
  const message = messageLine();
  const poller = liveRegion(list, {
    load: () => context.api.get<DrainResource[]>(apiPath('apps', context.app, 'log-drains')),
    render: (drains) => {
      const now = Date.now();
      return [
        table(
          'Drains',
          ['URL', 'Token', 'Added', 'Actions'],
          drains.map((drain) => {
            const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
            remove.addEventListener('click', () => {
              void runAction(
                remove,
                async () => {
                  await context.api.send('DELETE', apiPath('apps', context.app, 'log-drains', drain.id));
                  message.show(`Removed the drain to ${drain.url}.`);
                  poller.refresh();
                },
                (error) => message.show(errorMessage(error), 'bad'),
              );
            });
            return [h('code', { class: 'wrap' }, drain.url), h('code', null, drain.token), relativeTime(drain.created_at, now), remove];
          }),
          'No drains: the log stays in paas only.',
        ),
      ];
    },
    intervalMs: 15_000,
    signal: context.signal,
    onError: context.alert,
  });
  const url = h('input', { id: 'drain-url', type: 'text', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'syslog+tls://logs.example.com:6514' });
  const add = h('button', { type: 'submit' }, 'Add');
  const form = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'Add a drain',
      onsubmit: (event) => {
        event.preventDefault();
        void runAction(
          add,
          async () => {
            const { body } = await context.api.send<DrainResource>('POST', apiPath('apps', context.app, 'log-drains'), { url: url.value.trim() });
            url.value = '';
            message.show(`Added a drain to ${body.url}.`);
            poller.refresh();
          },
          (error) => message.show(errorMessage(error), 'bad'),
        );
      },
    },
    field('Drain URL', url),
    add,
  );
  return h('section', { 'aria-labelledby': 'drains-heading' }, h('h2', { id: 'drains-heading' }, 'Drains'), message.element, list, h('h3', null, 'Add a drain'), form);
}
