import { describe, expect, it } from 'vitest';
import { PLAN } from '../../src/content/index.ts';
import { atLocalTime, formatWhen, localClock, localDaysBetween, nextSendingTime } from '../../src/core/local-time.ts';

const hours = PLAN.sendingHours;
const at = (iso: string) => new Date(iso);

describe('nextSendingTime: 08:00-20:00 local, DST included', () => {
  it.each([
    // zone, instant, expected instant
    ['Europe/London', '2026-01-10T12:00:00Z', '2026-01-10T12:00:00.000Z'],
    ['Europe/London', '2026-01-10T07:59:00Z', '2026-01-10T08:00:00.000Z'],
    ['Europe/London', '2026-01-10T20:00:00Z', '2026-01-11T08:00:00.000Z'],
    ['Europe/London', '2026-01-10T23:30:00Z', '2026-01-11T08:00:00.000Z'],
    // London springs forward on Sun 29 Mar 2026 at 01:00 UTC: 08:00 BST is 07:00 UTC.
    ['Europe/London', '2026-03-28T21:00:00Z', '2026-03-29T07:00:00.000Z'],
    ['Europe/London', '2026-03-29T02:30:00Z', '2026-03-29T07:00:00.000Z'],
    // ... and falls back on Sun 25 Oct 2026: 08:00 GMT is 08:00 UTC.
    ['Europe/London', '2026-10-24T19:30:00Z', '2026-10-25T08:00:00.000Z'],
    ['Europe/London', '2026-10-25T07:30:00Z', '2026-10-25T08:00:00.000Z'],
    ['Europe/London', '2026-10-25T19:59:00Z', '2026-10-25T19:59:00.000Z'],
    // New York springs forward on Sun 8 Mar 2026: 08:00 EDT is 12:00 UTC (it was 13:00 the day before).
    ['America/New_York', '2026-03-07T13:00:00Z', '2026-03-07T13:00:00.000Z'],
    ['America/New_York', '2026-03-08T02:00:00Z', '2026-03-08T12:00:00.000Z'],
    ['America/New_York', '2026-03-08T07:30:00Z', '2026-03-08T12:00:00.000Z'],
    // ... and falls back on Sun 1 Nov 2026: 08:00 EST is 13:00 UTC.
    ['America/New_York', '2026-11-01T05:30:00Z', '2026-11-01T13:00:00.000Z'],
    ['America/New_York', '2026-11-01T01:00:00Z', '2026-11-01T13:00:00.000Z'],
    ['America/New_York', '2026-11-02T00:59:00Z', '2026-11-02T00:59:00.000Z'],
    ['America/New_York', '2026-11-02T01:00:00Z', '2026-11-02T13:00:00.000Z'],
    // Southern hemisphere: Auckland's DST ends Sun 5 Apr 2026.
    ['Pacific/Auckland', '2026-04-04T09:00:00Z', '2026-04-04T20:00:00.000Z'],
    ['America/Los_Angeles', '2026-06-01T02:59:00Z', '2026-06-01T02:59:00.000Z'],
  ])('%s %s -> %s', (zone, instant, expected) => {
    expect(nextSendingTime(at(instant), zone, hours).toISOString()).toBe(expected);
  });
});

describe('atLocalTime', () => {
  it.each([
    ['Europe/London', '2026-03-28T18:00:00Z', 1, '09:00', '2026-03-29T08:00:00.000Z'],
    ['Europe/London', '2026-03-28T18:00:00Z', 0, '01:30', '2026-03-28T01:30:00.000Z'],
    // 01:30 does not exist in London on 29 Mar 2026: the next wall time that does.
    ['Europe/London', '2026-03-28T18:00:00Z', 1, '01:30', '2026-03-29T01:30:00.000Z'],
    ['America/New_York', '2026-03-07T23:00:00Z', 1, '09:00', '2026-03-08T13:00:00.000Z'],
    ['America/New_York', '2026-10-31T22:00:00Z', 1, '09:00', '2026-11-01T14:00:00.000Z'],
    // The local date counts, not the UTC one: 21:00 in LA on Mon is Tue in UTC.
    ['America/Los_Angeles', '2026-03-03T05:00:00Z', 1, '09:00', '2026-03-03T17:00:00.000Z'],
  ])('%s: %s + %i day at %s -> %s', (zone, anchor, days, time, expected) => {
    expect(atLocalTime(at(anchor), zone, days, time).toISOString()).toBe(expected);
  });
});

describe('formatting and day counting', () => {
  it('formats in the local zone', () => {
    expect(formatWhen(at('2026-03-05T14:00:00Z'), 'America/New_York')).toBe('Thu 9:00');
    expect(localClock(at('2026-03-29T07:00:00Z'), 'Europe/London')).toBe('08:00');
  });

  it('counts local calendar days', () => {
    expect(localDaysBetween(at('2026-03-02T23:30:00Z'), at('2026-03-03T00:30:00Z'), 'Europe/London')).toBe(1);
    expect(localDaysBetween(at('2026-03-02T23:30:00Z'), at('2026-03-03T00:30:00Z'), 'America/New_York')).toBe(0);
    expect(localDaysBetween(at('2026-03-01T12:00:00Z'), at('2026-03-22T12:00:00Z'), 'Europe/London')).toBe(21);
  });
});
