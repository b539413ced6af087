import type { FastifyInstance } from 'fastify';

import { METRICS_RETENTION_MS, invalidParams, parseReleaseVersion, scoreRelease } from '@paas/core';

import type { MetricsRecorder } from '../metrics/metrics-recorder.js';
import type { ReleaseObserver } from '../metrics/release-observer.js';
import type { RouteContext } from './context.js';
import { appParams } from './context.js';

/** `1h`, `90m`, `30s`, `1d`, or plain seconds: a duration in milliseconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d{1,6})([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** `since` is a duration back from now or an ISO time; `step` a duration (a whole number of minutes). */
function window(query: { since?: string; step?: string }, now: number): { since: number; step: number } {
  const ago = query.since === undefined ? 3_600_000 : parseDuration(query.since);
  const asked = ago !== undefined ? now - ago : Date.parse(query.since ?? '');
  if (Number.isNaN(asked)) throw invalidParams('since is a duration (1h, 30m, 24h) or an ISO time.');
  // Nothing older than the retention is kept, so the window is cut to it.
  const since = Math.max(asked, now - METRICS_RETENTION_MS);
  const span = now - since;
  const step = query.step === undefined ? Math.max(60_000, Math.ceil(span / 120 / 60_000) * 60_000) : parseDuration(query.step);
  if (step === undefined || step < 60_000 || step % 60_000 !== 0) throw invalidParams('step is a whole number of minutes (1m, 5m, 1h).');
  if (span / step > 1440) throw invalidParams('At most 1,440 steps: choose a longer step.');
  return { since, step };
}

export function registerMetricsRoutes(app: FastifyInstance, { store }: RouteContext, metrics: MetricsRecorder, observer: ReleaseObserver): void {
  app.get<{ Params: { app: string }; Querystring: { since?: string; step?: string } }>(
    '/apps/:app/metrics',
    {
      schema: {
        params: appParams,
        querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'string', maxLength: 40 }, step: { type: 'string', maxLength: 10 } } },
      },
    },
    async (request) => {
      const name = store.apps.require(request.params.app).name;
      const now = Date.now();
      const { since, step } = window(request.query, now);
      const releases = store.deploys.listReleases(name)
        .filter((r) => Date.parse(r.createdAt) >= since)
        .sort((a, b) => a.version - b.version)
        .map((r) => ({ version: r.version, description: r.description, created_at: r.createdAt }));
      return {
        since: new Date(since).toISOString(),
        until: new Date(now).toISOString(),
        step_seconds: step / 1000,
        points: metrics.series(name, since, now, step),
        releases,
      };
    },
  );

  app.get<{ Params: { app: string; version: string } }>(
    '/apps/:app/releases/:version/twelve-factor',
    { schema: { params: { type: 'object', required: ['app', 'version'], properties: { app: { type: 'string', maxLength: 64 }, version: { type: 'string', maxLength: 20 } } } } },
    async (request) => {
      const name = store.apps.require(request.params.app).name;
      const version = request.params.version === 'current' ? store.deploys.currentRelease(name).version : parseReleaseVersion(request.params.version);
      if (version === undefined) throw invalidParams('A release is named vN, N or current.');
      const observations = await observer.observations(name, version);
      return { release: version, factors: scoreRelease(observations) };
    },
  );
}
