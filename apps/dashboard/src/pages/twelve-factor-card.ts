/** The twelve-factor card of a release: each factor's verdict, its evidence and, for a warning, the fix. */
import { apiPath, errorMessage } from '../api.js';
import { h } from '../dom.js';
import type { AppPageContext } from '../page.js';
import type { FactorResult, ReleaseResource, TwelveFactorResource } from '../types.js';
import { badge, field, uniqueId } from '../ui.js';

const TONE = { meets: 'ok', warns: 'warn', 'not-observed': 'idle' } as const;
const LABEL = { meets: 'meets', warns: 'warns', 'not-observed': 'not observed' } as const;

function factorRow(f: FactorResult): HTMLElement {
  return h(
    'li',
    { class: 'factor', 'data-factor': f.factor, 'data-verdict': f.verdict },
    h('div', { class: 'factor-head' }, h('strong', null, `${f.factor}. ${f.name}`), badge(LABEL[f.verdict], TONE[f.verdict])),
    h('p', { class: 'factor-evidence' }, f.evidence),
    f.fix === undefined ? null : h('p', { class: 'factor-fix' }, h('strong', null, 'Fix: '), f.fix),
  );
}

export function twelveFactorCard(context: AppPageContext): HTMLElement {
  const select = h('select', { id: uniqueId('release') });
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const show = async (version: string): Promise<void> => {
    try {
      const card = await context.api.get<TwelveFactorResource>(`${apiPath('apps', context.app, 'releases', version)}/twelve-factor`);
      const warnings = card.factors.filter((f) => f.verdict === 'warns').length;
      body.replaceChildren(
        h('p', { class: 'muted' }, `v${String(card.release)}: ${String(card.factors.filter((f) => f.verdict === 'meets').length)} met, ${String(warnings)} ${warnings === 1 ? 'warning' : 'warnings'}. Factor I (one codebase per app) holds by construction.`),
        h('ul', { class: 'factors' }, card.factors.map(factorRow)),
      );
    } catch (error) {
      body.replaceChildren(h('p', { class: 'message message-bad' }, errorMessage(error)));
    }
  };
  select.addEventListener('change', () => void show(select.value));
  void (async () => {
    try {
      const releases = await context.api.get<ReleaseResource[]>(apiPath('apps', context.app, 'releases'), { range: 'version ..; max=50, order=desc' });
      select.replaceChildren(...releases.map((r) => h('option', { value: `v${String(r.version)}`, selected: r.current }, `v${String(r.version)}${r.current ? ' (current)' : ''} · ${r.description}`)));
      const current = releases.find((r) => r.current) ?? releases[0];
      if (current) await show(`v${String(current.version)}`);
      else body.replaceChildren(h('p', { class: 'empty' }, 'No releases yet.'));
    } catch (error) {
      body.replaceChildren(h('p', { class: 'message message-bad' }, errorMessage(error)));
    }
  })();
  return h('section', { class: 'card twelve-factor', 'aria-labelledby': 'twelve-factor-heading' }, h('h2', { id: 'twelve-factor-heading' }, 'Twelve-factor scorecard'), field('Release', select), body);
}
