import { describe, expect, it } from 'vitest';
import { parseText, readScore } from '../../src/core/keywords.ts';

describe('parseText: leg-day check-ins', () => {
  it.each([
    'legs done',
    'Legs done!!',
    'leg day done',
    'done legs',
    'legs',
    'LEGDAY DONE',
    'legs done squat 140kg',
    '  LEGS   DONE  ',
    'legs-done',
    'Leg day: done.',
    'just finished legs',
    'did legs today',
    'legs smashed',
    'legday',
    'legs squat 140',
    'Legs day done 💪',
  ])('%j is a check-in', (text) => {
    expect(parseText(text).kind).toBe('checkin');
  });

  it('keeps what follows the check-in as lift details', () => {
    expect(parseText('legs done squat 140kg deadlift 180')).toMatchObject({ kind: 'checkin', details: 'squat 140kg deadlift 180' });
  });

  it.each(['my legs hurt', 'legs are sore', 'how do I do legs', 'legend', 'done', 'I am done'])('%j is not a check-in', (text) => {
    expect(parseText(text).kind).not.toBe('checkin');
  });

  it('a check-in that also mentions pain carries the pain report', () => {
    expect(parseText('legs done, back hurts 6/10')).toMatchObject({ kind: 'checkin', pain: { score: 6 } });
  });
});

describe('parseText: pain', () => {
  it.each([
    ['pain', null],
    ['PAIN 7', 7],
    ['my back is in pain', null],
    ['pain: 8/10', 8],
    ['back hurts, 8 out of 10', 8],
    ['lower back ache', null],
    ['Pain 10', 10],
    ['pain 0', 0],
  ])('%j is a pain report with score %s', (text, score) => {
    expect(parseText(text)).toMatchObject({ kind: 'pain', report: { score } });
  });
});

describe('parseText: carrier keywords', () => {
  it.each(['STOP', 'stop', 'Stop.', 'STOPALL', 'unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'OPTOUT', ' stop! '])(
    '%j opts out',
    (text) => expect(parseText(text).kind).toBe('stop'),
  );
  it.each(['START', 'unstop', 'Yes'])('%j opts in', (text) => expect(parseText(text).kind).toBe('start'));
  it.each(['HELP', 'info', 'Help?'])('%j asks for help', (text) => expect(parseText(text).kind).toBe('help'));
  it.each(["don't stop me now", 'the end of leg day pain', 'yes legs done'])('%j is not a carrier keyword', (text) => {
    expect(['stop', 'start', 'help']).not.toContain(parseText(text).kind);
  });
});

describe('parseText: anything else', () => {
  it.each(['hello', '', '???', 'what is this'])('%j is unknown', (text) => expect(parseText(text).kind).toBe('unknown'));
});

describe('readScore', () => {
  it.each([
    ['pain 7', 7],
    ['pain: 8/10', 8],
    ['8 out of 10', 8],
    ['squat 140kg', null],
    ['pain 11', null],
    ['3 days of pain', null],
    ['pain 2.5', null],
  ])('%j -> %s', (text, score) => expect(readScore(text)).toBe(score));
});

describe('parseText: coach commands', () => {
  it.each([
    ['STATUS', { kind: 'status' }],
    ['next', { kind: 'status' }],
    ['History', { kind: 'history' }],
    ['TZ Europe/London', { kind: 'tz', zone: 'Europe/London' }],
    ['tz EST', { kind: 'tz', zone: 'EST' }],
    ['timezone: pacific', { kind: 'tz', zone: 'pacific' }],
    ['Time zone London', { kind: 'tz', zone: 'London' }],
    ['6', { kind: 'score', score: 6 }],
    ['6/10', { kind: 'score', score: 6 }],
    ['about a 4', { kind: 'score', score: 4 }],
    ['8 out of 10', { kind: 'score', score: 8 }],
  ])('%j', (text, intent) => expect(parseText(text)).toEqual(intent));

  it.each(['140', 'squat 140', 'I did 12 reps'])('%j is not a pain score', (text) => {
    expect(parseText(text).kind).not.toBe('score');
  });
});

describe('parseText: plain-language opt-outs', () => {
  it.each([
    'stop texting me',
    'Please stop',
    'unsubscribe me',
    'STOP TEXTING ME!!!',
    'please stop sending me texts',
    'stop messaging me please',
    'remove me from your list',
    'take me off the list',
    'no more texts',
    "don't text me",
    'leave me alone',
    'Stop these',
  ])('%j opts out', (text) => expect(parseText(text).kind).toBe('stop'));

  it.each(["don't stop", 'stop sign squats', 'stop the pain', 'can the pain stop', 'legs done, stop light was red'])(
    '%j does not opt out',
    (text) => expect(parseText(text).kind).not.toBe('stop'),
  );
});
