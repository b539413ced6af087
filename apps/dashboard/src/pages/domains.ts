/** Custom domains: list, add, remove. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { AppResource, DomainResource } from '../types.js';
import { field, messageLine, runAction, table } from '../ui.js';

export function renderDomains(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading domains…'));
  const defaultHost = h('p', { class: 'muted' });
  const message = messageLine();
  void context.api
    .get<AppResource>(apiPath('apps', context.app))
    .then((app) => defaultHost.replaceChildren('The app always answers at ', h('a', { href: app.web_url, rel: 'noopener noreferrer', target: '_blank' }, app.web_url), '.'))
    .catch(context.alert);
  const poller = liveRegion(list, {
    load: () => context.api.get<DomainResource[]>(apiPath('apps', context.app, 'domains')),
    render: (domains) => {
      const now = Date.now();
      return [
        table(
          'Domains',
          ['Hostname', 'Added', 'Actions'],
          domains.map((domain) => {
            const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
            remove.addEventListener('click', () => {
              void runAction(
                remove,
                async () => {
                  await context.api.send('DELETE', apiPath('apps', context.app, 'domains', domain.hostname));
                  message.show(`Removed ${domain.hostname}.`);
                  poller.refresh();
                },
                (error) => message.show(errorMessage(error), 'bad'),
              );
            });
            return [h('code', null, domain.hostname), relativeTime(domain.created_at, now), remove];
          }),
          'No custom domains.',
        ),
      ];
    },
    intervalMs: 15_000,
    signal: context.signal,
    onError: context.alert,
  });
  const hostname = h('input', { id: 'domain-hostname', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'www.example.com' });
  const add = h('button', { type: 'submit' }, 'Add');
  const form = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'Add a domain',
      onsubmit: (event) => {
        event.preventDefault();
        void runAction(
          add,
          async () => {
            const { body } = await context.api.send<DomainResource>('POST', apiPath('apps', context.app, 'domains'), { hostname: hostname.value.trim() });
            hostname.value = '';
            message.show(`Added ${body.hostname}: point its DNS at the router.`);
            poller.refresh();
          },
          (error) => message.show(errorMessage(error), 'bad'),
        );
      },
    },
    field('Hostname', hostname),
    add,
  );
  return h('section', { 'aria-labelledby': 'domains-heading' }, h('h2', { id: 'domains-heading' }, 'Domains'), defaultHost, message.element, list, h('h3', null, 'Add a domain'), form);
}
