/** The live log stream over a websocket, with process and source filters, pause and auto-scroll. */
import { apiPath, errorMessage } from '../api.js';
import { parseAnsi } from '../ansi.js';
import { h } from '../dom.js';
import type { LogLine } from '../log-line.js';
import { logClock, parseLogFrame } from '../log-line.js';
import type { AppPageContext } from '../page.js';
import type { DynoResource, FormationResource, LogSessionResource } from '../types.js';
import { ansiNodes } from '../ui.js';

/** Lines kept on the page; older ones are dropped from the top. */
const MAX_LINES = 2000;
const RECONNECT_MS = 3000;

function lineElement(line: LogLine): HTMLElement {
  return h(
    'div',
    { class: `log-line source-${line.source === 'paas' ? 'paas' : 'app'}` },
    h('span', { class: 'log-time' }, logClock(line.time)),
    ' ',
    h('span', { class: 'log-process' }, `${line.source}[${line.process}]:`),
    ' ',
    ansiNodes(parseAnsi(line.line).segments),
  );
}

export function renderLogs(context: AppPageContext): HTMLElement {
  const view = h('div', { class: 'log-view', role: 'log', 'aria-label': 'Log lines', tabindex: 0 });
  const state = h('p', { class: 'muted', role: 'status' }, 'Connecting…');
  const processFilter = h('select', { id: 'log-process' }, h('option', { value: '' }, 'All processes'));
  const sourceFilter = h(
    'select',
    { id: 'log-source' },
    h('option', { value: '' }, 'All sources'),
    h('option', { value: 'app' }, 'app (processes)'),
    h('option', { value: 'paas' }, 'paas (platform, router)'),
  );
  const autoScroll = h('input', { id: 'log-autoscroll', type: 'checkbox', checked: true });
  const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  const clear = h('button', { type: 'button', onclick: () => view.replaceChildren() }, 'Clear');

  let paused = false;
  let held: HTMLElement[] = [];
  let socket: WebSocket | undefined;
  let generation = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const append = (elements: HTMLElement[]): void => {
    if (paused) {
      held.push(...elements);
      if (held.length > MAX_LINES) held = held.slice(-MAX_LINES);
      pause.textContent = `Resume (${String(held.length)} new)`;
      pause.setAttribute('aria-label', 'Resume');
      return;
    }
    view.append(...elements);
    while (view.childElementCount > MAX_LINES) view.firstElementChild?.remove();
    if (autoScroll.checked) view.scrollTop = view.scrollHeight;
  };

  pause.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.removeAttribute('aria-label');
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      const elements = held;
      held = [];
      append(elements);
    }
  });

  const connect = async (lines: number): Promise<void> => {
    const mine = (generation += 1);
    clearTimeout(retry);
    socket?.close();
    state.textContent = 'Connecting…';
    const body: Record<string, unknown> = { lines, tail: true };
    if (processFilter.value !== '') body.dyno = processFilter.value;
    if (sourceFilter.value !== '') body.source = sourceFilter.value;
    let session: LogSessionResource;
    try {
      ({ body: session } = await context.api.send<LogSessionResource>('POST', apiPath('apps', context.app, 'log-sessions'), body));
    } catch (error) {
      state.textContent = `The live stream is not available: ${errorMessage(error)}`;
      return;
    }
    if (mine !== generation || context.signal.aborted) return;
    const url = new URL(session.logplex_url, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url.href);
    socket = ws;
    ws.addEventListener('open', () => {
      state.textContent = 'Live: new lines appear as they are written.';
    });
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      const frame = parseLogFrame(event.data);
      if (!frame) return;
      if (frame.type === 'missed') append([h('div', { class: 'log-missed' }, `${String(frame.count)} lines missed`)]);
      else append([lineElement(frame)]);
    });
    ws.addEventListener('close', () => {
      if (mine !== generation || context.signal.aborted) return;
      state.textContent = 'Disconnected; reconnecting…';
      // Reconnect without the backlog: the lines already shown stay.
      retry = setTimeout(() => void connect(0), RECONNECT_MS);
    });
  };

  const restart = (): void => {
    view.replaceChildren();
    held = [];
    void connect(100);
  };
  processFilter.addEventListener('change', restart);
  sourceFilter.addEventListener('change', restart);
  context.signal.addEventListener('abort', () => {
    generation += 1;
    clearTimeout(retry);
    socket?.close();
  });

  // The process filter offers the app's types and its running processes.
  void Promise.all([
    context.api.get<FormationResource[]>(apiPath('apps', context.app, 'formation')).catch(() => []),
    context.api.get<DynoResource[]>(apiPath('apps', context.app, 'dynos')).catch(() => []),
  ]).then(([formation, dynos]) => {
    const names = [...new Set([...formation.map((f) => f.type), ...dynos.map((d) => d.name).sort()])];
    processFilter.append(...names.map((name) => h('option', { value: name }, name)));
  });
  restart();

  return h(
    'section',
    { 'aria-labelledby': 'logs-heading' },
    h('h2', { id: 'logs-heading' }, 'Logs'),
    h(
      'div',
      { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'log-process' }, 'Process'), processFilter),
      h('div', { class: 'field' }, h('label', { for: 'log-source' }, 'Source'), sourceFilter),
      h('div', { class: 'field-inline' }, autoScroll, h('label', { for: 'log-autoscroll' }, 'Auto-scroll')),
      pause,
      clear,
    ),
    state,
    view,
  );
}
