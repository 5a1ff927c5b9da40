import { describe, expect, it } from 'vitest';
import { DISCLOSURE, LOAD_TEXT, PLAN, SMS, STEP_LABEL, STEP_TEXT, render } from '../../src/content/index.ts';
import redFlags from '../../src/core/understanding/red-flags.json' with { type: 'json' };
import { nonGsm7Chars, segmentCount } from '../../src/core/segments.ts';

/** The longest values each placeholder realistically takes. */
const longest = {
  weeks: 52,
  deload: ': split squat 1120-1280lb, hack squat 1120-1280lb, leg press 1120-1280lb',
  caps: 'split squat 1760lb, hack squat 1760lb, leg press 1760lb',
  painReply: [SMS.painEarly, SMS.painLate, SMS.painNoCheckin, render(SMS.painHigh, { score: 10, iceOrHeat: SMS.painIce })].sort((a, b) => b.length - a.length)[0]!,
  care: [SMS.painEarly, SMS.painLate, SMS.painNoCheckin].sort((a, b) => b.length - a.length)[0]!,
  // The two longest signs a warning reply names.
  noticed: redFlags.signs.map((s) => s.noticed).sort((a, b) => b.length - a.length).slice(0, 2).join(' and '),
  heatAt: 'Wed 19:45',
  day: 'Wed 30 Sep',
  until: 'Wed 30 Sep',
  next: 'Wed 30 Sep',
  after: [SMS.answerIceDurationLate, render(SMS.answerIceDurationEarly, { heatAt: 'Wed 19:45' })].sort((a, b) => b.length - a.length)[0]!,
  score: 10,
  days: 14,
  iceOrHeat: [SMS.painIce, SMS.painHeat].sort((a, b) => b.length - a.length)[0]!,
  entries: Array.from({ length: 4 }, () => 'Wed 30 Sep split squat 1600lb (pain 10,10,10)').join('; '),
  label: Object.values(STEP_LABEL).sort((a, b) => b.length - a.length)[0]!,
  when: 'Wed 19:45',
  zone: Intl.supportedValuesOf('timeZone').sort((a, b) => b.length - a.length)[0]!,
  // A masked address as core/link-email.ts shows it: the domain is cut at 40 characters.
  email: 'a***@' + 'x'.repeat(36) + '.com',
  load: [
    LOAD_TEXT.generic,
    render(LOAD_TEXT.caps, { caps: 'split squat 1760lb, hack squat 1760lb, leg press 1760lb' }),
    render(LOAD_TEXT.deload, { deload: ': split squat 1120-1280lb, hack squat 1120-1280lb, leg press 1120-1280lb' }),
  ].sort(
    (a, b) => b.length - a.length,
  )[0]!,
};

const rendered: [string, string][] = [
  ...Object.entries(SMS).map(([name, t]): [string, string] => [name, render(t, longest)]),
  ...Object.entries(STEP_TEXT).map(([id, t]): [string, string] => [`steps.${id}`, render(t, longest)]),
];

describe('every SMS template, rendered with its longest realistic values', () => {
  it.each(rendered)('%s stays in GSM-7 and within two segments', (_name, body) => {
    expect(nonGsm7Chars(body)).toEqual([]);
    expect(segmentCount(body)).toBeLessThanOrEqual(2);
  });

  it('most fit one segment', () => {
    const single = rendered.filter(([, body]) => segmentCount(body) === 1).length;
    expect(single / rendered.length).toBeGreaterThan(0.5);
  });

  it('the first reply a number gets, with the disclosures added, stays in GSM-7 and within three segments', () => {
    for (const [name, body] of rendered) {
      expect(nonGsm7Chars(`${body} ${DISCLOSURE}`), name).toEqual([]);
      expect(segmentCount(`${body} ${DISCLOSURE}`), name).toBeLessThanOrEqual(3);
    }
  });

  it('the disclosures say what it is, how often, rates, HELP and STOP', () => {
    expect(DISCLOSURE).toMatch(/legday/);
    expect(DISCLOSURE).toMatch(/about \d+ recovery texts per leg day/i);
    expect(DISCLOSURE).toContain('Msg & data rates may apply');
    expect(DISCLOSURE).toMatch(/HELP/);
    expect(DISCLOSURE).toMatch(/STOP/);
  });

  it('the scheduled recovery texts with the generic load line fit one segment each', () => {
    for (const step of PLAN.steps) {
      expect(segmentCount(render(STEP_TEXT[step.id]!, { load: LOAD_TEXT.generic })), step.id).toBe(1);
    }
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

describe('render', () => {
  it('fills placeholders and refuses to send one it has no value for', () => {
    expect(render('Next: {label}, {when}.', { label: 'heat', when: 'Thu 9:00' })).toBe('Next: heat, Thu 9:00.');
    expect(() => render('cap: {caps}', {})).toThrow(/caps/);
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
  it('sends five or six texts per leg day, each with wording and a label', () => {
    expect(PLAN.steps.length).toBeGreaterThanOrEqual(5);
    expect(PLAN.steps.length).toBeLessThanOrEqual(6);
    for (const step of PLAN.steps) {
      expect(STEP_TEXT[step.id]).toBeTruthy();
      expect(STEP_LABEL[step.id]).toBeTruthy();
    }
  });
});
