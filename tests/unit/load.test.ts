import { describe, expect, it } from 'vitest';
import { stepEmail } from '../../src/content/email.ts';
import { LOAD_TEXT, render } from '../../src/content/index.ts';
import { loadLine, loadRule } from '../../src/content/load.ts';

describe('the warm-up text\'s load advice: one rule, each channel\'s own words', () => {
  it('after a break the deload wins over any caps; otherwise the caps, else the generic rule', () => {
    expect(loadRule('squat 154kg', 'squat 100-110kg')).toEqual({ kind: 'deload', deload: 'squat 100-110kg' });
    expect(loadRule('squat 154kg', null)).toEqual({ kind: 'deload', deload: null });
    expect(loadRule(null, null)).toEqual({ kind: 'deload', deload: null });
    expect(loadRule('squat 154kg')).toEqual({ kind: 'caps', caps: 'squat 154kg' });
    expect(loadRule(null)).toEqual({ kind: 'generic' });
    expect(loadRule('')).toEqual({ kind: 'generic' });
  });

  it('words each kind from the templates given: the deload ranges after a colon, or nothing when no lifts were logged', () => {
    const t = { generic: 'G.', caps: 'C {caps}.', deload: 'D{deload}.' };
    expect(loadLine({ kind: 'deload', deload: 'squat 100-110kg' }, t)).toBe('D: squat 100-110kg.');
    expect(loadLine({ kind: 'deload', deload: null }, t)).toBe('D.');
    expect(loadLine({ kind: 'caps', caps: 'squat 154kg' }, t)).toBe('C squat 154kg.');
    expect(loadLine({ kind: 'generic' }, t)).toBe('G.');
    expect(loadLine(loadRule('squat 154kg'), LOAD_TEXT)).toBe(render(LOAD_TEXT.caps, { caps: 'squat 154kg' }));
  });

  it('the warm-up email says what the text says, in its own words', () => {
    const words = (rule: ReturnType<typeof loadRule>) => JSON.stringify(stepEmail('pre-leg-day', rule));
    expect(words(loadRule('squat 154kg', 'squat 100-110kg'))).toContain('squat 100-110kg');
    expect(words(loadRule('squat 154kg', 'squat 100-110kg'))).not.toContain('squat 154kg');
    expect(words(loadRule('squat 154kg'))).toContain('squat 154kg');
    expect(words(loadRule(null))).not.toMatch(/\{\w+\}/);
  });
});
