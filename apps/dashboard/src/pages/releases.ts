/** Releases: version, description, actor, time, status; rollback with a confirmation; release-phase output. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { LogLine } from '../log-line.js';
import { parseLogText } from '../log-line.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { ReleaseResource } from '../types.js';
import { badge, confirmDialog, messageLine, runAction, stateBadge, table, terminalText } from '../ui.js';

interface ReleasesData {
  readonly releases: readonly ReleaseResource[];
  /** Recent output of release-phase processes (`release.1234`) from the app's log. */
  readonly releaseLines: readonly LogLine[];
}

/** The release-phase lines logged between this release's creation and the next one's. */
export function releasePhaseOutput(release: ReleaseResource, newer: ReleaseResource | undefined, lines: readonly LogLine[]): string {
  const from = release.created_at;
  const to = newer?.created_at;
  return lines
    .filter((line) => line.time >= from && (to === undefined || line.time < to))
    .map((line) => `${line.process}: ${line.line}`)
    .join('\n');
}

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
  const render = ({ releases, releaseLines }: ReleasesData): Node[] => {
    const now = Date.now();
    return [
      table(
        'Releases',
        ['Version', 'Description', 'Actor', 'Time', 'Status', 'Actions'],
        releases.map((release, index) => {
          const output = releaseLines.length > 0 ? releasePhaseOutput(release, releases[index - 1], releaseLines) : '';
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
      const [releases, log] = await Promise.all([
        context.api.get<ReleaseResource[]>(apiPath('apps', context.app, 'releases'), { range: 'version ..; max=100, order=desc' }),
        context.api.text(`${apiPath('apps', context.app, 'logs')}?lines=1500&ps=release`).catch(() => ''),
      ]);
      context.alert(undefined);
      const releaseLines = log
        .split('\n')
        .map(parseLogText)
        .filter((line): line is LogLine => line !== undefined);
      return { releases, releaseLines };
    },
    render,
    intervalMs: 4000,
    signal: context.signal,
    onError: context.alert,
  });
  return h('section', { 'aria-labelledby': 'releases-heading' }, h('h2', { id: 'releases-heading' }, 'Releases'), message.element, list);
}
