import { describe, expect, it } from 'vitest';
import { deloadRanges, heaviest, parseLifts, tenPercentCaps } from '../../src/core/lifts.ts';
import { inferTimezone, resolveZone } from '../../src/core/zones.ts';

describe('parseLifts', () => {
  it.each([
    ['squat 140', 'kg', [['squat', 140, 'kg']]],
    ['squat 140kg deadlift 180', 'kg', [['squat', 140, 'kg'], ['deadlift', 180, 'kg']]],
    ['sq 315lb', 'kg', [['squat', 315, 'lb']]],
    ['sq 315', 'lb', [['squat', 315, 'lb']]],
    ['SQUAT 3x5 140 kg, DL 200kgs', 'lb', [['squat', 140, 'kg'], ['deadlift', 200, 'kg']]],
    ['front squat 100 rdl 120 leg press 300', 'kg', [['front squat', 100, 'kg'], ['RDL', 120, 'kg'], ['leg press', 300, 'kg']]],
    ['bss 40 hip thrust 180 lunges 30', 'kg', [['split squat', 40, 'kg'], ['hip thrust', 180, 'kg'], ['lunge', 30, 'kg']]],
    ['squat @ 102.5', 'kg', [['squat', 102.5, 'kg']]],
    ['felt strong', 'kg', []],
    ['squat heavy', 'kg', []],
  ] as const)('%j (default %s)', (text, unit, expected) => {
    expect(parseLifts(text, unit)).toEqual(expected.map(([lift, weight, u]) => ({ lift, weight, unit: u })));
  });
});

describe('load advice', () => {
  const logs = [
    { at: '2026-03-09T18:00:00Z', lifts: [{ lift: 'squat', weight: 140, unit: 'kg' as const }] },
    { at: '2026-03-05T18:00:00Z', lifts: [{ lift: 'squat', weight: 130, unit: 'kg' as const }, { lift: 'deadlift', weight: 180, unit: 'kg' as const }] },
    { at: '2026-02-01T18:00:00Z', lifts: [{ lift: 'squat', weight: 200, unit: 'kg' as const }] },
  ];
  it('caps at 10% over the heaviest load of the past week', () => {
    expect(tenPercentCaps(heaviest(logs, new Date('2026-03-03T00:00:00Z')))).toBe('squat 154kg, deadlift 198kg');
    expect(tenPercentCaps([{ lift: 'squat', weight: 315, unit: 'lb' }])).toBe('squat 346lb');
  });
  it('deloads 20-30%', () => {
    expect(deloadRanges([{ lift: 'squat', weight: 140, unit: 'kg' }])).toBe('squat 98-112kg');
  });
});

describe('time zones', () => {
  it.each([
    ['+447700900123', 'Europe/London'],
    ['+353851234567', 'Europe/Dublin'],
    ['+64211234567', 'Pacific/Auckland'],
    ['+4915112345678', 'Europe/Berlin'],
    ['+15551234567', 'America/Chicago'],
    ['+61412345678', 'America/Chicago'],
  ])('%s is placed in %s (fallback America/Chicago)', (phone, zone) => {
    expect(inferTimezone(phone, 'America/Chicago')).toBe(zone);
  });

  it.each([
    ['Europe/London', 'Europe/London'],
    ['europe/london', 'Europe/London'],
    ['EST', 'America/New_York'],
    ['pacific', 'America/Los_Angeles'],
    ['London', 'Europe/London'],
    ['new york', 'America/New_York'],
    ['New_York', 'America/New_York'],
    ['Sydney', 'Australia/Sydney'],
    ['CET', 'Europe/Paris'],
    ['Boston', 'America/New_York'],
    ['Narnia', null],
    ['', null],
  ])('%j -> %s', (text, zone) => expect(resolveZone(text)).toBe(zone));
});
