import { describe, expect, it } from 'vitest';
import { readScore } from '../../src/core/understanding/entities.ts';
import { inContext, understand } from '../../src/core/understanding/index.ts';
import { loadCorpus } from '../../eval/score.ts';
import { editDistance, normalise } from '../../src/core/understanding/normalise.ts';

const kind = (text: string, painCheckOpen = false) => understand(text, { painCheckOpen }).intent.kind;
const tier = (text: string) => understand(text).triage.tier;
/** The intent with an open pain check, and the score it read (the score intent's number is the entity). */
const answer = (text: string) => {
  const u = understand(text, { painCheckOpen: true });
  return { intent: u.intent, score: u.entities.score };
};

describe('normalise: how people write', () => {
  it.each([
    ['Leggs DUN!!!', 'legs done'],
    ['legsdone', 'legs done'],
    ['legdaydone 💪', 'legday done'],
    ['🦵✅', 'legs done'],
    ['numbnes in my bum', 'numbness in my bum'],
    ['tingeling down my leg', 'tingling down my leg'],
    ['sooooore', 'sore'],
    ['it’s sqauts day', 'its squats day'],
    ['thx 👍', 'thanks ok'],
    ['back pain w/o numbness', 'back pain without numbness'],
  ])('%j reads as %j', (raw, text) => expect(normalise(raw).text).toBe(text));

  it('keeps clause breaks, so a negation stays in its clause', () => {
    expect(normalise('no fever, but numb').tokens).toEqual(['no', 'fever', ',', 'but', 'numb']);
  });

  it('does not "correct" one real word into another', () => {
    for (const word of ['slipped', 'pissed', 'chilli', 'subscribe', 'presume', 'letter']) expect(normalise(word).text).toBe(word);
  });

  it('counts a swap of neighbouring letters as one typo and a changed letter as two', () => {
    expect(editDistance('sqauts', 'squats', 2)).toBe(1);
    expect(editDistance('slipped', 'skipped', 2)).toBe(2);
  });
});

describe('intents: check-ins however written', () => {
  it.each([
    'legs done', 'Legs done!!', 'leg day done', 'done legs', 'legs', 'LEGDAY DONE', 'legs done squat 140kg', '  LEGS   DONE  ',
    'legs-done', 'Leg day: done.', 'just finished legs', 'did legs today', 'legs smashed', 'legday', 'legs squat 140', 'Legs day done 💪',
    'trained legs', 'leggs done', 'legsdone', 'squats done', '🦵✅', 'squatted 100kg today', 'lower body done', 'leg day was brutal',
    'hit legs last night', 'legs dun ✅', 'LEG DAY COMPLETE', 'deadlifted 180 for 3',
  ])('%j is a check-in', (text) => expect(kind(text)).toBe('checkin'));

  it.each(['leg day today', 'legs tomorrow', 'about to squat', 'gonna hit legs after work', 'heading to the gym for legs'])(
    '%j is a session still to come',
    (text) => expect(kind(text)).toBe('upcoming'),
  );

  it.each(['my legs hurt', 'legs are sore', 'legend', 'done', 'I am done', 'skipped leg day'])('%j is not a check-in', (text) => {
    expect(kind(text)).not.toBe('checkin');
  });

  it('"yesterday" dates the session', () => {
    expect(understand('legs done yesterday').entities.daysAgo).toBe(1);
    expect(understand('did legs last night, squat 120').entities.daysAgo).toBe(1);
    expect(understand('legs done').entities.daysAgo).toBeNull();
  });
});

describe('intents: soreness, scores, questions, small talk, pause', () => {
  it.each(['pain', 'back is killing me', 'lower back tight', 'DOMS are killing me', 'quads wrecked', 'tweaked my back', 'hammys stiff af'])(
    '%j is soreness',
    (text) => expect(kind(text)).toBe('soreness'),
  );

  it.each([
    ['6', 6],
    ['6/10', 6],
    ['about a 4', 4],
    ['8 out of 10', 8],
    ['like a seven', 7],
  ])('%j answers the pain check with %i', (text, score) => expect(answer(text)).toEqual({ intent: { kind: 'score' }, score }));

  it('while the pain check is open, a number with words is still its answer', () => {
    expect(answer('4, way better today')).toEqual({ intent: { kind: 'score' }, score: 4 });
    expect(answer('8 fever')).toEqual({ intent: { kind: 'score' }, score: 8 });
  });

  it.each(['140', 'squat 140', 'I did 12 reps', 'legs in 10'])('%j is not a pain score', (text) => expect(kind(text)).not.toBe('score'));

  it.each([
    ['ice or heat?', 'ice-or-heat'],
    ['ICE OR HEAT MATE', 'ice-or-heat'],
    ['how long should I ice', 'ice-duration'],
    ['can I train tomorrow?', 'train-again'],
    ['how do I brace?', 'bracing'],
    ['is it ok to stretch?', 'stretching'],
    ['how much weight should i add each week?', 'progression'],
  ])('%j is a question about %s', (text, topic) => expect(understand(text).intent).toEqual({ kind: 'question', topic }));

  it.each(['when is my next message', 'STATUS', 'whats next'])('%j asks what is next', (text) => expect(kind(text)).toBe('status'));

  it.each([
    ['thanks', 'thanks'],
    ['cheers mate', 'thanks'],
    ['ok', 'ack'],
    ['👍', 'ack'],
    ['better today', 'better'],
    ['hey', 'greeting'],
  ])('%j is small talk (%s)', (text, tone) => expect(understand(text).intent).toEqual({ kind: 'smalltalk', tone }));

  it.each(['pause', 'snooze for a week', 'going on holiday, pause the texts for 2 weeks', 'hold off till monday'])('%j pauses', (text) =>
    expect(kind(text)).toBe('pause'),
  );

  it('reads how long a pause is for', () => {
    expect(understand('snooze for a week').entities.durationDays).toBe(7);
    expect(understand('pause the texts for 2 weeks').entities.durationDays).toBe(14);
    expect(understand('pause for a fortnight').entities.durationDays).toBe(14);
  });

  it.each(['resume', 'back from holiday, start again', 'unpause'])('%j resumes', (text) => expect(kind(text)).toBe('resume'));
  it.each(['skipped leg day', 'missed legs today', 'no legs today, moving it to friday'])('%j skipped', (text) => expect(kind(text)).toBe('skipped'));
});

describe('an open pain check classifies the first reading again, without reading again', () => {
  const open = { painCheckOpen: true };

  it('a number with words becomes the answer; the reading itself is reused', () => {
    const u = understand('4, way better today');
    const c = inContext(u, open);
    expect(u.intent.kind).not.toBe('score');
    expect(c.intent.kind).toBe('score');
    expect(c.normalised).toBe(u.normalised);
    expect(c.triage).toBe(u.triage);
    expect(c.entities).toBe(u.entities);
  });

  it('on every corpus text, the context only ever turns an intent into a score (what lets an email keep its first choice of line)', () => {
    for (const ex of [...loadCorpus('tuning'), ...loadCorpus('held-out')]) {
      const u = understand(ex.text);
      const c = inContext(u, open);
      if (c.intent.kind !== 'score') expect(c.intent, ex.text).toEqual(u.intent);
      expect({ ...c, intent: null }, ex.text).toEqual({ ...u, intent: null });
    }
  });
});

describe('intents: carrier keywords are whole messages', () => {
  it.each(['STOP', 'stop', 'Stop.', 'STOPALL', 'unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'OPTOUT', ' stop! '])('%j opts out', (text) =>
    expect(kind(text)).toBe('stop'),
  );
  it('an invisible character pasted into STOP does not hide it', () => expect(kind('S\u200bTOP')).toBe('stop'));
  it.each(['START', 'unstop', 'Yes'])('%j opts in', (text) => expect(kind(text)).toBe('start'));
  it.each(['HELP', 'info', 'Help?'])('%j asks for help', (text) => expect(kind(text)).toBe('help'));
  it.each(["don't stop me now", 'the end of leg day pain', 'yes legs done', 'stop sign squats', 'stop the pain', 'can the pain stop'])(
    '%j is not a carrier keyword',
    (text) => expect(['stop', 'start', 'help']).not.toContain(kind(text)),
  );
  it.each([
    'stop texting me', 'Please stop', 'unsubscribe me', 'STOP TEXTING ME!!!', 'please stop sending me texts', 'stop messaging me please',
    'remove me from your list', 'take me off the list', 'no more texts', "don't text me", 'leave me alone', 'Stop these',
  ])('%j opts out in plain words', (text) => expect(kind(text)).toBe('stop'));

  it('the reading keeps the carrier keyword it found, which a text\'s SMS steps use (a plain-language help is not one)', () => {
    expect(understand('Stop.').keyword).toBe('stop');
    expect(understand('stop texting me').keyword).toBe('stop');
    expect(understand('unstop').keyword).toBe('start');
    expect(understand('HELP').keyword).toBe('help');
    expect(understand("don't stop me now").keyword).toBeNull();
    const help = understand('what is this?');
    expect(help.intent.kind).toBe('help');
    expect(help.keyword).toBeNull();
  });

  it('TZ sets a zone; a move in plain words too', () => {
    expect(understand('TZ Europe/London').intent).toEqual({ kind: 'timezone', zone: 'Europe/London' });
    expect(understand('timezone: pacific').intent).toEqual({ kind: 'timezone', zone: 'pacific' });
    expect(understand('moved to london last week').intent).toEqual({ kind: 'timezone', zone: 'london' });
  });
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
    ['sore for 2 weeks', null],
    ['woke at 9 am', null],
  ])('%j -> %s', (text, score) => expect(readScore(normalise(text))).toBe(score));
});

describe('triage: two tiers, recall first', () => {
  it.each([
    'numbness in my groin since deadlifts',
    'cant feel my bum when i wipe',
    'peeing myself since squats',
    "can't pee since this morning",
    'my left foot is dragging and my back hurts',
    'right foot slaps the floor when i walk',
    'both legs weak and getting weaker',
    'bar slipped and hit my lower back',
    'slipped on ice and landed on my back',
    'dropped the bar on my spine',
    'got hit by a car last week, back pain',
  ])('%j is an emergency', (text) => expect(tier(text)).toBe('emergency'));

  it.each([
    'hot and shivery, back aching',
    'lower back pain and a fever',
    'tingling down my left leg',
    'pins and needles in my calf',
    'back pain wakes me up at night',
    'back still hurts after 3 weeks',
    'its getting worse every day',
    'pain 9/10, rest does nothing',
    'lost 6kg without trying and my back aches',
    'legs done, fever',
    'legs done, numb feet',
  ])('%j needs a doctor soon', (text) => expect(tier(text)).toBe('soon'));

  it.each([
    'back sore but no numbness or tingling',
    'lower back ache, no fever',
    'severe DOMS lol',
    'sore, fell asleep on the sofa with a heat pack',
    'cant walk lol',
    'my back is killing me',
    'cabin fever from resting lol',
    'fell off the wagon with stretching',
    'legs are jelly',
    'not tingly at all, just stiff',
    'feel like I got hit by a truck',
    'wrong number',
    'pain 4, a bit better today',
  ])('%j is ordinary', (text) => expect(tier(text)).toBe('none'));

  it('says what it noticed, so a lifter can correct it', () => {
    expect(understand('numb bum and tingly legs').triage).toMatchObject({ tier: 'emergency', signs: ['saddle-numbness'] });
    expect(understand('fever and night sweats, back aches').triage.noticed).toEqual(['fever, chills or night sweats']);
  });
});
