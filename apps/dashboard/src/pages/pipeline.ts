/** The app's pipeline: its apps by stage, what a promotion would bring downstream, the promote button, review apps. */
import { ApiError, apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { routeHref } from '../route.js';
import { relativeTime } from '../time-format.js';
import type { AppResource, PipelineCouplingResource, PipelineDiffResource, PipelinePromotionResource, ReleaseResource, ReviewAppResource } from '../types.js';
import { badge, messageLine, runAction, table } from '../ui.js';

interface PipelineView {
  readonly coupling: PipelineCouplingResource | null;
  readonly members: readonly PipelineMember[];
  readonly diff: PipelineDiffResource | null;
  readonly reviewApps: readonly ReviewAppResource[];
}

interface PipelineMember {
  readonly coupling: PipelineCouplingResource;
  readonly release: number | null;
  /** The commit the current release runs; null without code. */
  readonly commit: string | null;
}

/** A 404 is an answer here (not in a pipeline, review apps off), not an error. */
async function orNull<T>(load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

async function loadView(context: AppPageContext): Promise<PipelineView> {
  const coupling = await orNull(context.api.get<PipelineCouplingResource>(apiPath('apps', context.app, 'pipeline-couplings')));
  if (!coupling) return { coupling: null, members: [], diff: null, reviewApps: [] };
  const couplings = await context.api.get<PipelineCouplingResource[]>(apiPath('pipelines', coupling.pipeline.id, 'pipeline-couplings'));
  const members = await Promise.all(
    couplings.map(async (member): Promise<PipelineMember> => {
      const release = (await context.api.get<AppResource>(apiPath('apps', member.app.name))).current_release?.version ?? null;
      if (release === null) return { coupling: member, release, commit: null };
      const current = await context.api.get<ReleaseResource>(apiPath('apps', member.app.name, 'releases', String(release)));
      return { coupling: member, release, commit: current.slug?.commit ?? null };
    }),
  );
  const [diff, reviewApps] = await Promise.all([
    orNull(context.api.get<PipelineDiffResource>(apiPath('apps', context.app, 'pipeline-diff'))),
    orNull(context.api.get<ReviewAppResource[]>(apiPath('pipelines', coupling.pipeline.id, 'review-apps'))),
  ]);
  return { coupling, members, diff, reviewApps: reviewApps ?? [] };
}

function diffLines(diff: PipelineDiffResource): HTMLElement[] {
  return diff.targets.map((target) => {
    const commits = target.commits === null
      ? [h('p', { class: 'muted' }, 'The commits cannot be compared.')]
      : target.commits.length === 0
        ? [h('p', { class: 'muted' }, `${target.app.name} is up to date.`)]
        : [h('ul', null, ...target.commits.map((commit) => h('li', null, h('code', null, commit.sha.slice(0, 7)), ` ${commit.message} (${commit.author})`)))];
    return h(
      'section',
      { 'aria-label': `Promotion to ${target.app.name}` },
      h('h3', null, `${diff.app.name} v${String(diff.app.release)} → ${target.app.name} v${String(target.app.release)}`),
      ...(target.refused === null ? [] : [h('p', null, badge('refused', 'bad'), ` ${target.refused}`)]),
      ...commits,
      ...(target.missing_config_vars.length === 0 ? [] : [h('p', null, `Config vars missing on ${target.app.name}: `, h('code', null, target.missing_config_vars.join(', ')))]),
      ...(target.missing_addons.length === 0 ? [] : [h('p', null, `Add-ons missing on ${target.app.name}: ${target.missing_addons.map((a) => `${a.name} (${a.service})`).join(', ')}`)]),
    );
  });
}

export function renderPipeline(context: AppPageContext): HTMLElement {
  const region = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading the pipeline…'));
  const message = messageLine();
  const poller = liveRegion(region, {
    load: () => loadView(context),
    render: (view) => {
      if (!view.coupling) {
        return [h('p', null, `${context.app} is in no pipeline. Add it with `, h('code', null, `paas pipelines:add PIPELINE -a ${context.app} --stage staging`), '.')];
      }
      const now = Date.now();
      const promote = h('button', { type: 'button' }, 'Promote');
      const targets = view.diff?.targets ?? [];
      promote.disabled = targets.length === 0 || targets.some((target) => target.refused !== null);
      promote.addEventListener('click', () => {
        void runAction(
          promote,
          async () => {
            const { body } = await context.api.send<PipelinePromotionResource>('POST', '/pipeline-promotions', { source: { app: { id: context.app } } });
            message.show(`Promoting ${body.source.app.name} v${String(body.source.release.version)} to ${targets.map((t) => t.app.name).join(', ')}: each gets a new release.`);
            poller.refresh();
          },
          (error) => message.show(errorMessage(error), 'bad'),
        );
      });
      return [
        h('h2', null, `Pipeline ${view.coupling.pipeline.name}`),
        table(
          'Apps by stage',
          ['Stage', 'App', 'Release', 'Commit'],
          view.members.map(({ coupling, release, commit }) => [
            coupling.stage,
            h('a', { href: routeHref({ page: 'app', app: coupling.app.name, tab: 'pipeline' }) }, coupling.app.name),
            release === null ? '' : `v${String(release)}`,
            commit === null ? '' : h('code', { title: commit }, commit.slice(0, 7)),
          ]),
        ),
        ...(targets.length === 0 ? [h('p', { class: 'muted' }, `${context.app} is at the end of the pipeline: nothing to promote to.`)] : [h('h2', null, 'Promotion'), ...diffLines(view.diff as PipelineDiffResource), promote]),
        ...(view.reviewApps.length === 0
          ? []
          : [
              table(
                'Review apps',
                ['App', 'Branch', 'Last push'],
                view.reviewApps.map((review) => [h('a', { href: review.web_url, rel: 'noopener noreferrer', target: '_blank' }, review.app.name), review.branch, relativeTime(review.updated_at, now)]),
              ),
            ]),
      ];
    },
    intervalMs: 15_000,
    signal: context.signal,
    onError: context.alert,
  });
  return h('div', null, message.element, region);
}
