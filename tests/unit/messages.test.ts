import { describe, expect, it } from 'vitest';
import { SMS } from '../../src/content/messages.ts';
import { RECOVERY_PLAN } from '../../src/content/plan.ts';
import { nonGsm7Chars, segmentCount } from '../../src/core/segments.ts';

const allBodies: [string, string][] = [
  ...Object.entries(SMS).filter((e): e is [string, string] => typeof e[1] === 'string'),
  ...Object.entries(SMS.steps).map(([k, v]): [string, string] => [`steps.${k}`, v]),
  ['checkinWithPain (early)', SMS.checkinWithPainPrefix + SMS.painEarly],
];

describe('every SMS body', () => {
  it.each(allBodies)('%s stays in GSM-7 and within two segments', (_name, body) => {
    expect(nonGsm7Chars(body)).toEqual([]);
    expect(segmentCount(body)).toBeLessThanOrEqual(2);
  });

  it('scheduled follow-ups fit one segment each', () => {
    for (const [id, body] of Object.entries(SMS.steps)) expect(segmentCount(body), id).toBe(1);
  });

  it('the first reply carries the enrolment disclosures', () => {
    expect(SMS.checkinFirst).toContain('Msg & data rates may apply');
    expect(SMS.checkinFirst).toMatch(/STOP/);
    expect(SMS.checkinFirst).toMatch(/HELP/);
    expect(SMS.checkinFirst).toMatch(/about \d+ recovery texts per leg day/i);
  });

  it('HELP says what the service is and how to stop', () => {
    expect(SMS.help).toMatch(/legday/);
    expect(SMS.help).toMatch(/STOP/);
  });
});

describe('segment counting', () => {
  it.each([
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['{'.repeat(80), 1],
    ['{'.repeat(81), 2],
    ['it’s', 1],
    ['é'.repeat(160), 1],
    ['’'.repeat(71), 2],
  ])('%#: %j takes %i', (text, n) => expect(segmentCount(text)).toBe(n));
});

describe('the plan', () => {
  it('sends five or six texts per leg day, each with wording', () => {
    expect(RECOVERY_PLAN.length).toBeGreaterThanOrEqual(5);
    expect(RECOVERY_PLAN.length).toBeLessThanOrEqual(6);
    for (const step of RECOVERY_PLAN) expect(SMS.steps[step.id]).toBeTruthy();
  });

  it('follows the timeline: ice inside 48 h, heat after, mobility on days 2-4, prep before the next weekly leg day', () => {
    const at = Object.fromEntries(RECOVERY_PLAN.map((s) => [s.id, s.afterHours]));
    expect(at['ice-1']).toBeLessThan(48);
    expect(at['ice-2']).toBeLessThan(48);
    expect(at['heat']).toBeGreaterThanOrEqual(48);
    expect(at['mobility-1']).toBeGreaterThanOrEqual(48);
    expect(at['mobility-2']).toBeLessThanOrEqual(96);
    expect(at['pre-leg-day']).toBeGreaterThan(6 * 24);
    expect(at['pre-leg-day']).toBeLessThan(7 * 24);
  });
});
