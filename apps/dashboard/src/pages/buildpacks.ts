/** The app's buildpacks, in order: add, remove, clear (empty means the platform detects one). */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import type { BuildpackInstallationResource } from '../types.js';
import { field, messageLine, runAction, table } from '../ui.js';

export function buildpacksSection(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' });
  const message = messageLine();
  let current: string[] = [];
  const put = async (urls: string[], done: string, button: HTMLButtonElement): Promise<boolean> => {
    let ok = false;
    await runAction(
      button,
      async () => {
        await context.api.send('PUT', apiPath('apps', context.app, 'buildpack-installations'), { updates: urls.map((buildpack) => ({ buildpack })) });
        message.show(`${done} It takes effect on the next build.`);
        ok = true;
        poller.refresh();
      },
      (error) => message.show(errorMessage(error), 'bad'),
    );
    return ok;
  };
  const poller = liveRegion(list, {
    load: async () => {
      const installed = await context.api.get<BuildpackInstallationResource[]>(apiPath('apps', context.app, 'buildpack-installations'));
      current = installed.map((entry) => entry.buildpack.url);
      return installed;
    },
    render: (installed) => [
      table(
        'Buildpacks',
        ['Order', 'Buildpack', 'Actions'],
        installed.map((entry) => {
          const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
          remove.addEventListener('click', () => void put(current.filter((_, i) => i !== entry.ordinal), `Removed ${entry.buildpack.name}.`, remove));
          return [String(entry.ordinal + 1), h('code', null, entry.buildpack.url), remove];
        }),
        'None set: the platform detects the buildpack on each build.',
      ),
    ],
    intervalMs: 15_000,
    signal: context.signal,
    onError: context.alert,
  });
  const input = h('input', { id: 'buildpack', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'nodejs, static, procfile, or a git URL' });
  const add = h('button', { type: 'submit' }, 'Add');
  const clear = h('button', { type: 'button' }, 'Clear buildpacks');
  clear.addEventListener('click', () => void put([], 'Cleared the buildpacks.', clear));
  const form = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'Add a buildpack',
      onsubmit: (event) => {
        event.preventDefault();
        const url = input.value.trim();
        if (url === '') return;
        void put([...current, url], `Added ${url}.`, add).then((ok) => {
          if (ok) input.value = '';
        });
      },
    },
    field('Buildpack', input),
    add,
    clear,
  );
  return h('section', { 'aria-labelledby': 'buildpacks-heading' }, h('h3', { id: 'buildpacks-heading' }, 'Buildpacks'), list, form, message.element);
}
