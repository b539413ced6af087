import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatIsoTime, formatRelativeTime, formatTimeUntil, formatTimeWithAge } from './relative-time.js';

const now = new Date('2024-05-10T12:00:00.000Z');
const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();

describe('formatRelativeTime', () => {
  const cases: [number, string][] = [
    [0, 'just now'],
    [5, '5s ago'],
    [59, '59s ago'],
    [60, '1m ago'],
    [3599, '59m ago'],
    [7200, '2h ago'],
    [86_400 * 3, '3d ago'],
  ];
  for (const [seconds, text] of cases) {
    it(`${String(seconds)}s → ${text}`, () => assert.equal(formatRelativeTime(ago(seconds), now), text));
  }

  it('shows the date for anything older than 30 days', () => {
    assert.equal(formatRelativeTime('2024-01-02T03:04:05Z', now), '2024-01-02');
  });

  it('shows the ISO time for times in the future and passes garbage through', () => {
    assert.equal(formatRelativeTime('2024-05-10T12:00:30Z', now), '2024-05-10 12:00:30Z');
    assert.equal(formatRelativeTime('soon', now), 'soon');
  });
});

describe('formatTimeWithAge', () => {
  it('gives the exact time and the age', () => {
    assert.equal(formatTimeWithAge(ago(120), now), '2024-05-10 11:58:00Z (2m ago)');
    assert.equal(formatIsoTime('2024-05-10T11:58:00.123Z'), '2024-05-10 11:58:00Z');
  });
});

describe('formatTimeUntil', () => {
  it('counts down to a moment ahead, and says now once it has come', () => {
    assert.equal(formatTimeUntil(ago(-20), now), 'in 20s');
    assert.equal(formatTimeUntil(ago(-0.2), now), 'in 1s');
    assert.equal(formatTimeUntil(ago(-180), now), 'in 3m');
    assert.equal(formatTimeUntil(ago(0), now), 'now');
    assert.equal(formatTimeUntil(ago(5), now), 'now');
    assert.equal(formatTimeUntil(ago(-86_400 * 40), now), 'on 2024-06-19 12:00:00Z');
    assert.equal(formatTimeUntil('soon', now), 'soon');
  });
});
