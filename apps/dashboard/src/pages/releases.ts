/** Releases: version, description, actor, time, status; rollback with a confirmation; release-phase output. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { ReleaseResource } from '../types.js';
import { badge, confirmDialog, messageLine, runAction, stateBadge, table, terminalText } from '../ui.js';

interface ReleasesData {
  readonly releases: readonly ReleaseResource[];
  /** What each release phase printed, by version, for the releases that had one. */
  readonly outputs: ReadonlyMap<number, string>;
}

/** Release outputs fetched per page load; older ones are read when there are few. */
const MAX_OUTPUTS_FETCHED = 20;

export function renderReleases(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading releases…'));
  const message = messageLine();
  // Which release outputs are unfolded, so a refresh keeps them open.
  const unfolded = new Set<number>();
  const rollback = (release: ReleaseResource, button: HTMLButtonElement): void => {
    void confirmDialog({
      title: `Roll back to v${String(release.version)}?`,
      message: `A new release will run the code and config vars of v${String(release.version)} (${release.description}).`,
    }).then((confirmed) => {
      if (!confirmed) return;
      void runAction(
        button,
        async () => {
          const { body } = await context.api.send<ReleaseResource>('POST', apiPath('apps', context.app, 'releases'), { release: `v${String(release.version)}` });
          message.show(`Created v${String(body.version)}: ${body.description}.`);
          poller.refresh();
        },
        (error) => message.show(errorMessage(error), 'bad'),
      );
    });
  };
  const render = ({ releases, outputs }: ReleasesData): Node[] => {
    const now = Date.now();
    return [
      table(
        'Releases',
        ['Version', 'Description', 'Actor', 'Time', 'Status', 'Actions'],
        releases.map((release) => {
          const output = outputs.get(release.version) ?? '';
          const button = h('button', { type: 'button' }, 'Rollback');
          button.addEventListener('click', () => rollback(release, button));
          return [
            h('strong', null, `v${String(release.version)}`),
            [
              h('span', null, release.description),
              output === ''
                ? null
                : h(
                    'details',
                    {
                      class: 'release-output',
                      open: unfolded.has(release.version),
                      ontoggle: (event) => {
                        if ((event.target as HTMLDetailsElement).open) unfolded.add(release.version);
                        else unfolded.delete(release.version);
                      },
                    }, h('summary', null, 'Release output'), terminalText(output, `Release phase output of v${String(release.version)}`)),
            ],
            release.actor,
            h('time', { datetime: release.created_at, title: release.created_at }, relativeTime(release.created_at, now)),
            [stateBadge(release.status), release.current ? badge('current', 'ok') : null],
            release.current ? '' : button,
          ];
        }),
      ),
    ];
  };
  const poller = liveRegion(list, {
    load: async (): Promise<ReleasesData> => {
      const releases = await context.api.get<ReleaseResource[]>(apiPath('apps', context.app, 'releases'), { range: 'version ..; max=100, order=desc' });
      const withOutput = releases.filter((release) => release.output_stream_url !== null).slice(0, MAX_OUTPUTS_FETCHED);
      const texts = await Promise.all(withOutput.map((release) => context.api.text(release.output_stream_url ?? '').catch(() => '')));
      context.alert(undefined);
      return { releases, outputs: new Map(withOutput.map((release, i) => [release.version, texts[i] ?? ''])) };
    },
    render,
    intervalMs: 4000,
    signal: context.signal,
    onError: context.alert,
  });
  return h('section', { 'aria-labelledby': 'releases-heading' }, h('h2', { id: 'releases-heading' }, 'Releases'), message.element, list);
}
