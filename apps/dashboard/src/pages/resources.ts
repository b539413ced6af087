/** Resources: the app's add-ons (plan, state, the vars they set, backups) and what it attaches. Read-only. */
import { apiPath } from '../api.js';
import { summarizeBackups } from '../backup-summary.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { AddonAttachmentResource, AddonBackupResource, AddonResource } from '../types.js';
import { badge, stateBadge, table } from '../ui.js';

interface Resources {
  readonly addons: readonly AddonResource[];
  readonly attachments: readonly AddonAttachmentResource[];
  /** Backups by add-on id (postgresql add-ons only). */
  readonly backups: ReadonlyMap<string, readonly AddonBackupResource[]>;
}

const ADDON_TONES: Readonly<Record<string, 'ok' | 'warn' | 'bad'>> = { provisioned: 'ok', provisioning: 'warn', deprovisioning: 'warn', failed: 'bad' };

export function renderResources(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading add-ons…'));
  const load = async (): Promise<Resources> => {
    const [addons, attachments] = await Promise.all([
      context.api.get<AddonResource[]>(apiPath('apps', context.app, 'addons')),
      context.api.get<AddonAttachmentResource[]>(apiPath('apps', context.app, 'addon-attachments')),
    ]);
    const withBackups = addons.filter((addon) => addon.addon_service.name === 'postgresql' && addon.state === 'provisioned');
    const backups = await Promise.all(withBackups.map(async (addon) => [addon.id, await context.api.get<AddonBackupResource[]>(apiPath('addons', addon.id, 'backups'))] as const));
    return { addons, attachments, backups: new Map(backups) };
  };
  liveRegion(list, {
    load,
    render: ({ addons, attachments, backups }) => {
      const now = Date.now();
      return [
        table(
          'Add-ons',
          ['Add-on', 'Plan', 'State', 'Config vars', 'Backups', 'Created'],
          addons.map((addon) => {
            const summary = addon.addon_service.name === 'postgresql' ? summarizeBackups(backups.get(addon.id) ?? []) : undefined;
            const schedule = addon.backup_schedule ? ` · daily at ${addon.backup_schedule.at}, ${String(addon.backup_schedule.retention)} kept` : '';
            return [
              h('strong', null, addon.name),
              h(
                'span',
                null,
                h('code', null, addon.plan.name),
                addon.version === null ? null : h('span', { class: 'muted' }, ` PostgreSQL ${addon.version}`),
                addon.memory_mb === null ? null : h('span', { class: 'muted' }, ` ${String(addon.memory_mb)} MB`),
              ),
              h('span', null, ADDON_TONES[addon.state] ? badge(addon.state, ADDON_TONES[addon.state] ?? 'idle') : stateBadge(addon.state), addon.state_reason ? h('span', { class: 'muted' }, ` ${addon.state_reason}`) : null),
              addon.config_vars.length > 0 ? h('code', null, addon.config_vars.join(', ')) : h('span', { class: 'muted' }, 'not attached'),
              summary ? h('span', null, badge(summary.text, summary.tone), schedule) : h('span', { class: 'muted' }, '—'),
              relativeTime(addon.created_at, now),
            ];
          }),
          'No add-ons: paas addons:create postgresql (or redis) makes one.',
        ),
        h('h3', null, 'Attachments'),
        table(
          'Attachments',
          ['Config var', 'Add-on', 'Owned by', 'Attached'],
          attachments.map((attachment) => [
            h('code', null, `${attachment.name}_URL`),
            attachment.addon.name,
            attachment.addon.app.name === context.app ? h('span', { class: 'muted' }, 'this app') : h('a', { href: `#/apps/${encodeURIComponent(attachment.addon.app.name)}/resources` }, attachment.addon.app.name),
            relativeTime(attachment.created_at, now),
          ]),
          'No attachments.',
        ),
      ];
    },
    intervalMs: 15_000,
    signal: context.signal,
    onError: context.alert,
  });
  return h('section', { 'aria-labelledby': 'resources-heading' }, h('h2', { id: 'resources-heading' }, 'Resources'), list);
}
