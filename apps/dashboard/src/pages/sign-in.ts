/** Sign in with an API token: checked with GET /account, then kept in sessionStorage. */
import { ApiError, createApi } from '../api.js';
import { h } from '../dom.js';
import type { Session } from '../session.js';
import { messageLine } from '../ui.js';

export function renderSignIn(onSignedIn: (session: Session) => void): HTMLElement {
  const token = h('input', { id: 'api-token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const message = messageLine();
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: (event) => {
        event.preventDefault();
        const value = token.value.trim();
        if (value === '') return;
        submit.disabled = true;
        message.show('Checking the token…');
        createApi(value, () => undefined)
          .get<{ name: string }>('/account')
          .then((account) => onSignedIn({ token: value, account: account.name }))
          .catch((error: unknown) => {
            message.show(error instanceof ApiError && error.status === 401 ? 'That token is not valid.' : error instanceof Error ? error.message : String(error), 'bad');
          })
          .finally(() => {
            submit.disabled = false;
          });
      },
    },
    h('h1', null, 'Sign in'),
    h('p', { class: 'muted' }, 'Use an API token: the one `paas login` asks for (shown once when paasd first starts, or set with PAAS_API_TOKEN).'),
    h('div', { class: 'field' }, h('label', { for: 'api-token' }, 'API token'), token),
    h('div', { class: 'actions' }, submit),
    message.element,
  );
  queueMicrotask(() => token.focus());
  return form;
}
