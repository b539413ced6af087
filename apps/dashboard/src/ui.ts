/** Building blocks every page uses: tables, badges, messages, dialogs, ANSI text. */
import type { Segment } from './ansi.js';
import { collapseCarriageReturns, parseAnsi } from './ansi.js';
import type { Child } from './dom.js';
import { h } from './dom.js';

/** A table that turns into labelled cards at phone width (the labels come from `data-label`). */
export function table(caption: string, columns: readonly string[], rows: readonly (readonly Child[])[], empty = 'Nothing yet.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, columns.map((column) => h('th', { scope: 'col' }, column)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell, i) => h('td', { 'data-label': columns[i] ?? '' }, h('div', { class: 'cell' }, cell)))))),
    ),
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

export function badge(text: string, tone: Tone): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

const TONES: Readonly<Record<string, Tone>> = {
  up: 'ok',
  succeeded: 'ok',
  starting: 'warn',
  pending: 'warn',
  crashed: 'bad',
  failed: 'bad',
  down: 'idle',
};

export const stateBadge = (state: string): HTMLElement => badge(state, TONES[state] ?? 'idle');

/** A line under a form that says how an action went: role=status, or role=alert for errors. */
export function messageLine(): { element: HTMLElement; show(text: string, tone?: 'ok' | 'bad'): void; clear(): void } {
  const element = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    show(text, tone = 'ok') {
      element.className = `message message-${tone}`;
      element.setAttribute('role', tone === 'bad' ? 'alert' : 'status');
      element.textContent = text;
    },
    clear() {
      element.textContent = '';
    },
  };
}

export function ansiNodes(segments: readonly Segment[]): Node[] {
  return segments.map((segment) =>
    segment.classes.length === 0 ? document.createTextNode(segment.text) : h('span', { class: segment.classes.join(' ') }, segment.text),
  );
}

/** Build output (or any terminal text) as a <pre> with its colours, never its markup. */
export function terminalText(text: string, label: string): HTMLElement {
  const { segments } = parseAnsi(collapseCarriageReturns(text));
  return h('pre', { class: 'terminal', tabindex: 0, 'aria-label': label }, ansiNodes(segments));
}

export interface ConfirmOptions {
  readonly title: string;
  readonly message: string;
  /** The user must type this (an app's name) before Confirm is enabled. */
  readonly typeToConfirm?: { readonly label: string; readonly value: string };
}

/** A modal <dialog> with Confirm and Cancel; resolves true on Confirm. */
export function confirmDialog({ title, message, typeToConfirm }: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const confirm = h('button', { type: 'submit', class: 'danger', value: 'confirm', disabled: typeToConfirm !== undefined }, 'Confirm');
    const input = typeToConfirm
      ? h('input', {
          id: 'confirm-text',
          autocomplete: 'off',
          spellcheck: 'false',
          oninput: () => {
            confirm.disabled = input?.value !== typeToConfirm.value;
          },
        })
      : undefined;
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'dialog-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'dialog-title' }, title),
        h('p', null, message),
        input && typeToConfirm ? h('div', { class: 'field' }, h('label', { for: 'confirm-text' }, typeToConfirm.label), input) : null,
        h('div', { class: 'actions' }, h('button', { type: 'submit', value: 'cancel', class: 'plain' }, 'Cancel'), confirm),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'confirm' && (!typeToConfirm || input?.value === typeToConfirm.value));
    });
    document.body.append(dialog);
    dialog.showModal();
    (input ?? confirm).focus();
  });
}

/** A labelled input: `<label for>` plus the input, for getByLabel(). */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

let nextId = 0;
/** Ids for label/input pairs, unique on the page. */
export const uniqueId = (prefix: string): string => `${prefix}-${String((nextId += 1))}`;

/** Disables a button while an action runs, and reports its outcome. */
export async function runAction(button: HTMLButtonElement | undefined, action: () => Promise<void>, onError: (error: unknown) => void): Promise<void> {
  if (button) button.disabled = true;
  try {
    await action();
  } catch (error) {
    onError(error);
  } finally {
    if (button) button.disabled = false;
  }
}
