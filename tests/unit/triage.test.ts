import { describe, expect, it } from 'vitest';
import { SMS } from '../../src/content/index.ts';
import { respond } from '../../src/core/respond.ts';
import { hasRedFlag } from '../../src/core/triage.ts';

/** Texts people really send: misspelt, lower-case, no apostrophes. */
const RED_FLAGS = [
  'pain and my leg is numb',
  'back pain, numbness in my butt',
  'tingling down both legs',
  'tingly feeling in my groin and back pain',
  "can't feel my left foot",
  'cant feel my toes properly',
  'cannot feel my leg',
  'numbnes in my bum after squats',
  'my leg feels weak since squats',
  'weakness in my right leg',
  'left leg keeps giving way',
  'my leg gave out on the stairs',
  'pain and I wet myself',
  'having trouble with my bladder',
  "can't pee since this morning",
  'lost control of my bowels',
  'incontinence since yesterday',
  'pain plus a fever',
  'back pain and feverish',
  'fell off the box and my back hurts',
  'had a fall at the gym',
  'dropped the bar on my back',
  'got hit by a car last week, back pain',
  'worst pain of my life',
  'worst back pain ever',
  'pain is getting worse',
  'its getting worse every day',
  'severe back pain',
  'unbearable pain 10',
  'pins and needles in my legs',
  'pain 9 and not getting better after 2 weeks',
  'my legs are numb',
  'saddle area numb',
  'no feeling in my thigh',
];

const ORDINARY = [
  'pain',
  'PAIN 7',
  'my back is in pain',
  'lower back is stiff and achy',
  'sore after deadlifts',
  'pain 4, a bit better today',
  'back aches when I sit',
  'pain 8/10 but easing',
  'hurts when I bend over',
  'tight hamstrings and sore back',
  'legs are wrecked lol',
  'ouch my back',
  'a bit sore, 3 out of 10',
  'achy lower back after squats',
];

describe('hasRedFlag', () => {
  it.each(RED_FLAGS)('%j is a red flag', (text) => expect(hasRedFlag(text)).toBe(true));
  it.each(ORDINARY)('%j is ordinary soreness', (text) => expect(hasRedFlag(text)).toBe(false));

  it('covers at least 40 texts', () => expect(RED_FLAGS.length + ORDINARY.length).toBeGreaterThanOrEqual(40));
});

describe('a red-flag pain text gets only the medical-help reply', () => {
  const user = {
    id: '+15551234567',
    phone: '+15551234567',
    email: null,
    status: 'active' as const,
    enrolledAt: '2026-02-01T10:00:00.000Z',
    timezone: 'America/New_York',
    recent: [{ id: 'c', at: '2026-03-02T23:00:00.000Z', lifts: [], pain: [] }],
    painTrack: null,
    version: 1,
  };
  it.each(RED_FLAGS)('%j', (text) => {
    const d = respond(user, { from: user.phone!, text, now: new Date('2026-03-03T15:00:00Z'), newId: () => 'x', defaultTimezone: 'UTC' });
    expect(d.reply).toBe(SMS.urgent);
    expect(d.reply).not.toMatch(/90\/90|foam|dead hang|knees-to-chest/i);
  });
});
