/** Builds: status, duration, commit, the output with its colours; buildpacks, cache purge, source upload. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { every, liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { routeHref } from '../route.js';
import { durationBetween, relativeTime } from '../time-format.js';
import type { BuildResource } from '../types.js';
import { confirmDialog, messageLine, runAction, stateBadge, table, terminalText } from '../ui.js';
import { buildpacksSection } from './buildpacks.js';

const shortCommit = (build: BuildResource): string => build.source_blob.version?.slice(0, 7) ?? 'upload';

function buildList(context: AppPageContext, selected: string | undefined): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading builds…'));
  liveRegion(list, {
    load: async () => {
      const builds = await context.api.get<BuildResource[]>(apiPath('apps', context.app, 'builds'));
      context.alert(undefined);
      return builds.slice(0, 50);
    },
    render: (builds) => {
      const now = Date.now();
      return [
        table(
          'Builds',
          ['Build', 'Status', 'Started', 'Duration', 'Commit', 'Release', 'Actor'],
          builds.map((build) => [
            h(
              'a',
              { href: routeHref({ page: 'app', app: context.app, tab: 'builds', build: build.id }), 'aria-current': build.id === selected ? 'page' : undefined },
              `Output ${build.id.slice(0, 8)}`,
            ),
            stateBadge(build.status),
            h('time', { datetime: build.created_at, title: build.created_at }, relativeTime(build.created_at, now)),
            durationBetween(build.created_at, build.finished_at, now),
            h('code', null, shortCommit(build)),
            build.release ? `v${String(build.release.version)}` : '',
            build.actor,
          ]),
          'No builds yet: push with git, or upload a source archive below.',
        ),
      ];
    },
    intervalMs: 3000,
    signal: context.signal,
    onError: context.alert,
  });
  return list;
}

/** One build's output, re-read while the build runs. */
function buildOutput(context: AppPageContext, id: string): HTMLElement {
  const heading = h('h3', { id: 'output-heading' }, `Build ${id.slice(0, 8)}`);
  const status = h('p', { role: 'status' }, 'Loading…');
  const output = h('div', null);
  let shown = '';
  let finished = false;
  const controller = new AbortController();
  context.signal.addEventListener('abort', () => controller.abort());
  every(
    2000,
    async () => {
      if (finished) return;
      const [build, text] = await Promise.all([
        context.api.get<BuildResource>(apiPath('apps', context.app, 'builds', id)),
        context.api.text(apiPath('apps', context.app, 'builds', id, 'output')),
      ]).catch((error: unknown) => {
        status.textContent = errorMessage(error);
        throw error;
      });
      status.replaceChildren(
        stateBadge(build.status),
        ` ${build.status === 'pending' ? 'running for' : 'took'} ${durationBetween(build.created_at, build.finished_at, Date.now())}, commit `,
        h('code', null, shortCommit(build)),
        build.release ? `, released v${String(build.release.version)}` : '',
      );
      if (text !== shown) {
        const pre = terminalText(text === '' ? '(no output yet)' : text, 'Build output');
        const follow = output.firstElementChild === null || isScrolledToEnd(output.firstElementChild);
        output.replaceChildren(pre);
        if (follow) pre.scrollTop = pre.scrollHeight;
        shown = text;
      }
      if (build.status !== 'pending') {
        finished = true;
        controller.abort();
      }
    },
    controller.signal,
  );
  return h('section', { 'aria-labelledby': 'output-heading' }, heading, status, output);
}

const isScrolledToEnd = (element: Element): boolean => element.scrollHeight - element.scrollTop - element.clientHeight < 24;

function cacheSection(context: AppPageContext): HTMLElement {
  const message = messageLine();
  const purge = h('button', { type: 'button' }, 'Purge build cache');
  purge.addEventListener('click', () => {
    void confirmDialog({ title: 'Purge the build cache?', message: 'The next build downloads every dependency again.' }).then((confirmed) => {
      if (!confirmed) return;
      void runAction(
        purge,
        async () => {
          await context.api.send('DELETE', apiPath('apps', context.app, 'build-cache'));
          message.show('The build cache is empty.');
        },
        (error) => message.show(errorMessage(error), 'bad'),
      );
    });
  });
  return h('section', { 'aria-labelledby': 'cache-heading' }, h('h3', { id: 'cache-heading' }, 'Build cache'), purge, message.element);
}

/** `paas deploy` from the browser: a .tar.gz of the app's files, its build output streamed back. */
function uploadSection(context: AppPageContext): HTMLElement {
  const file = h('input', { id: 'source-archive', type: 'file', accept: '.tar.gz,.tgz,.tar,application/gzip,application/x-tar' });
  const deploy = h('button', { type: 'submit' }, 'Deploy');
  const message = messageLine();
  const output = h('div', null);
  const form = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'Deploy a source archive',
      onsubmit: (event) => {
        event.preventDefault();
        const archive = file.files?.[0];
        if (!archive) {
          message.show('Choose a .tar.gz of the app’s files first.', 'bad');
          return;
        }
        void runAction(
          deploy,
          async () => {
            message.show('Uploading…');
            const type = archive.name.endsWith('.tar') ? 'application/x-tar' : 'application/gzip';
            const response = await context.api.raw('POST', apiPath('apps', context.app, 'builds'), { body: archive, headers: { 'content-type': type } });
            const id = response.headers.get('paas-build-id');
            message.show(id ? `Build ${id.slice(0, 8)} started.` : 'Build started.');
            let text = '';
            const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
            while (reader) {
              const { done, value } = await reader.read();
              if (done) break;
              text += value;
              output.replaceChildren(terminalText(text, 'Deploy output'));
            }
            if (id) context.navigate(routeHref({ page: 'app', app: context.app, tab: 'builds', build: id }));
          },
          (error) => message.show(errorMessage(error), 'bad'),
        );
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'source-archive' }, 'Source archive'), file),
    deploy,
  );
  return h('section', { 'aria-labelledby': 'upload-heading' }, h('h3', { id: 'upload-heading' }, 'Deploy from an archive'), form, message.element, output);
}

export function renderBuilds(context: AppPageContext & { build?: string }): HTMLElement {
  return h(
    'div',
    null,
    h('section', { 'aria-labelledby': 'builds-heading' }, h('h2', { id: 'builds-heading' }, 'Builds'), buildList(context, context.build)),
    context.build === undefined ? null : buildOutput(context, context.build),
    buildpacksSection(context),
    cacheSection(context),
    uploadSection(context),
  );
}
