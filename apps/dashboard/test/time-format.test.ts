import assert from 'node:assert/strict';
import { test } from 'node:test';

import { durationBetween, formatDuration, relativeTime } from '../src/time-format.js';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');

test('relativeTime reads like a person would say it', () => {
  assert.equal(relativeTime('2026-11-22T11:59:55.000Z', NOW), 'just now');
  assert.equal(relativeTime('2026-11-22T11:59:18.000Z', NOW), '42 s ago');
  assert.equal(relativeTime('2026-11-22T11:55:00.000Z', NOW), '5 min ago');
  assert.equal(relativeTime('2026-11-22T09:00:00.000Z', NOW), '3 h ago');
  assert.equal(relativeTime('2026-11-21T12:00:00.000Z', NOW), '1 day ago');
  assert.equal(relativeTime('2026-11-19T11:00:00.000Z', NOW), '3 days ago');
  assert.equal(relativeTime('2026-09-01T00:00:00.000Z', NOW), '2026-09-01');
  assert.equal(relativeTime('2026-11-22T12:05:00.000Z', NOW), 'in 5 min');
  assert.equal(relativeTime('not a time', NOW), '');
});

test('formatDuration keeps the two largest units', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_400), '12 s');
  assert.equal(formatDuration(184_000), '3 min 4 s');
  assert.equal(formatDuration(3_720_000), '1 h 2 min');
  assert.equal(formatDuration(3_600_000), '1 h');
  assert.equal(formatDuration(97_200_000, 1), '1 day');
  assert.equal(formatDuration(-5), '');
});

test('durationBetween runs to now while unfinished', () => {
  assert.equal(durationBetween('2026-11-22T11:59:00.000Z', '2026-11-22T11:59:23.000Z', NOW), '23 s');
  assert.equal(durationBetween('2026-11-22T11:58:00.000Z', null, NOW), '2 min');
});
