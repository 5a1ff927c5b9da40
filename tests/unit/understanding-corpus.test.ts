import { describe, expect, it } from 'vitest';
import { loadCorpus, score } from '../../eval/score.ts';

/**
 * The bar from the understanding issue, held on the whole labeled corpus (the tuning files and
 * the held-out file together; `npm run eval` prints each part on its own): red flags of either
 * tier found at 98% or more, ordinary soreness alarmed at 5% or less, intents right at 92% or more.
 */
const corpus = [...loadCorpus('tuning'), ...loadCorpus('held-out')];
const s = await score(corpus);

describe('the understanding layer on the labeled corpus', () => {
  it('has at least 400 texts, 100 of them held out', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(400);
    expect(loadCorpus('held-out').length).toBeGreaterThanOrEqual(100);
  });

  it('finds at least 98% of red flags (either tier)', () => {
    expect(s.triage.recallAny, s.misses.filter((m) => m.startsWith('missed')).join('\n')).toBeGreaterThanOrEqual(0.98);
  });

  it('alarms at most 5% of ordinary soreness', () => {
    expect(s.triage.sorenessFalseAlarm).toBeLessThanOrEqual(0.05);
  });

  it('reads at least 92% of intents right', () => {
    expect(s.intentAccuracy).toBeGreaterThanOrEqual(0.92);
  });
});
