import { describe, expect, it } from 'vitest';
import { hasRedFlag } from '../../src/core/triage.ts';

describe('hasRedFlag', () => {
  it.each([
    'pain and my leg is numb',
    'back pain, numbness in my butt',
    'tingling down both legs',
    "can't feel my left foot",
    'cant feel my toes',
    'my leg feels weak since squats',
    'weakness in my right leg',
    'pain and I wet myself',
    'having trouble with my bladder',
    'pain plus a fever',
    'fell off the box and my back hurts',
    'worst pain of my life',
    'pain is getting worse',
    'severe back pain',
    'pins and needles in my legs',
  ])('%j is a red flag', (text) => expect(hasRedFlag(text)).toBe(true));

  it.each([
    'pain',
    'PAIN 7',
    'my back is in pain',
    'lower back is stiff and achy',
    'sore after deadlifts',
    'pain 4, a bit better today',
    'back aches when I sit',
  ])('%j is ordinary soreness', (text) => expect(hasRedFlag(text)).toBe(false));
});
