/** Config vars: values hidden until revealed; add, edit, remove; each save names the release it made. */
import type { ApiResult } from '../api.js';
import { apiPath, errorMessage } from '../api.js';
import type { Child } from '../dom.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import type { ConfigVarsResource } from '../types.js';
import { confirmDialog, field, messageLine, runAction, table, uniqueId } from '../ui.js';

const RELEASE_HEADER = 'paas-release-version';
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function savedText(result: ApiResult<unknown>, what: string): string {
  const version = result.headers.get(RELEASE_HEADER);
  return version ? `${what}: released v${version}.` : `${what}: nothing changed, so no new release.`;
}

export function renderConfigVars(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading config vars…'));
  const message = messageLine();
  const revealed = new Set<string>();
  let editing: string | undefined;
  let latest: ConfigVarsResource = {};

  const patch = async (body: Record<string, string | null>, what: string, button?: HTMLButtonElement): Promise<boolean> => {
    let ok = false;
    await runAction(
      button,
      async () => {
        const result = await context.api.send<ConfigVarsResource>('PATCH', apiPath('apps', context.app, 'config-vars'), body);
        message.show(savedText(result, what));
        ok = true;
      },
      (error) => message.show(errorMessage(error), 'bad'),
    );
    return ok;
  };

  const redraw = (): void => {
    list.replaceChildren(...render(latest));
  };

  function row(key: string, value: string): Child[] {
    if (editing === key) {
      const input = h('textarea', { id: uniqueId('edit-value'), rows: 1, spellcheck: 'false', 'aria-label': `Value of ${key}` }, value);
      const save = h('button', { type: 'submit' }, 'Save');
      const form = h(
        'form',
        {
          class: 'edit-form',
          onsubmit: (event) => {
            event.preventDefault();
            void patch({ [key]: input.value }, `Saved ${key}`, save).then((ok) => {
              if (!ok) return;
              editing = undefined;
              redraw();
              poller.refresh();
            });
          },
        },
        input,
        save,
        h('button', { type: 'button', onclick: () => ((editing = undefined), redraw()) }, 'Cancel'),
      );
      queueMicrotask(() => input.focus());
      return [h('code', null, key), form, ''];
    }
    const shown = revealed.has(key);
    const reveal = h('button', { type: 'button', 'aria-pressed': shown ? 'true' : 'false', onclick: () => (shown ? revealed.delete(key) : revealed.add(key), redraw()) }, shown ? 'Hide' : 'Reveal');
    const edit = h('button', { type: 'button', onclick: () => ((editing = key), redraw()) }, 'Edit');
    const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
    remove.addEventListener('click', () => {
      void confirmDialog({ title: `Remove ${key}?`, message: `Removing ${key} makes a new release and restarts the processes.` }).then(async (confirmed) => {
        if (confirmed && (await patch({ [key]: null }, `Removed ${key}`, remove))) poller.refresh();
      });
    });
    return [
      h('code', null, key),
      shown ? h('code', { class: 'config-value' }, value) : h('span', { class: 'hidden-value', 'aria-label': 'hidden value' }, '••••••••'),
      h('div', { class: 'row-actions' }, reveal, edit, remove),
    ];
  }

  function render(vars: ConfigVarsResource): Node[] {
    const keys = Object.keys(vars).sort();
    return [table('Config vars', ['Key', 'Value', 'Actions'], keys.map((key) => row(key, vars[key] ?? '')), 'No config vars yet.')];
  }

  const poller = liveRegion(list, {
    load: async () => {
      const vars = await context.api.get<ConfigVarsResource>(apiPath('apps', context.app, 'config-vars'));
      context.alert(undefined);
      latest = vars;
      return vars;
    },
    render: (vars) => (editing === undefined ? render(vars) : Array.from(list.childNodes)),
    intervalMs: 10_000,
    signal: context.signal,
    onError: context.alert,
  });

  const key = h('input', { id: 'config-key', autocomplete: 'off', spellcheck: 'false', required: true });
  const value = h('textarea', { id: 'config-value', rows: 1, spellcheck: 'false' });
  const add = h('button', { type: 'submit' }, 'Add');
  const addForm = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'Add a config var',
      onsubmit: (event) => {
        event.preventDefault();
        const name = key.value.trim();
        if (!KEY.test(name)) {
          message.show('A key starts with a letter or underscore and holds letters, digits and underscores.', 'bad');
          return;
        }
        void patch({ [name]: value.value }, `Set ${name}`, add).then((ok) => {
          if (!ok) return;
          key.value = '';
          value.value = '';
          poller.refresh();
        });
      },
    },
    field('Key', key),
    field('Value', value),
    add,
  );
  return h(
    'section',
    { 'aria-labelledby': 'config-heading' },
    h('h2', { id: 'config-heading' }, 'Config vars'),
    message.element,
    list,
    h('h3', null, 'Add a config var'),
    addForm,
  );
}
