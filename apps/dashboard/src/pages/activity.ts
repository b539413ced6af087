/** The app's audit log, newest first: who changed what, and when. */
import { apiPath } from '../api.js';
import { h } from '../dom.js';
import { liveRegion } from '../live.js';
import type { AppPageContext } from '../page.js';
import { relativeTime } from '../time-format.js';
import type { ActivityResource } from '../types.js';
import { table } from '../ui.js';

/** `key=value` pairs of an event's data (never config values: the server leaves them out). */
export function describeData(data: Readonly<Record<string, unknown>>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

export function renderActivity(context: AppPageContext): HTMLElement {
  const list = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading activity…'));
  liveRegion(list, {
    load: () => context.api.get<ActivityResource[]>(`${apiPath('apps', context.app, 'activity')}?limit=100`),
    render: (events) => {
      const now = Date.now();
      return [
        table(
          'Activity',
          ['When', 'Who', 'What', 'Details'],
          events.map((event) => [
            h('time', { datetime: event.created_at, title: event.created_at }, relativeTime(event.created_at, now)),
            event.actor,
            h('code', null, event.action),
            h('span', { class: 'wrap' }, describeData(event.data)),
          ]),
          'No activity recorded.',
        ),
      ];
    },
    intervalMs: 10_000,
    signal: context.signal,
    onError: context.alert,
  });
  return h('section', { 'aria-labelledby': 'activity-heading' }, h('h2', { id: 'activity-heading' }, 'Activity'), list);
}
