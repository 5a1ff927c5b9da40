import { ICE_WINDOW_HOURS, PLAN, stepLabel, type SmsName } from '../content/index.ts';
import type { Said, SaidValue } from '../content/email.ts';
import { nothing, type Decision } from './decision.ts';
import { defaultUnitFor, defaultUnitForZone, deloadRanges, heaviest, parseLifts, tenPercentCaps } from './lifts.ts';
import { atLocalTime, formatDay, formatWhen, localDaysBetween, localWeekday } from './local-time.ts';
import { expectedGapDays, movedStepTime, painCheckReminder, planReminders, type Channel, type NewReminder } from './plan.ts';
import { mentionsPain, pauseUntilWeekday, understand, type QuestionTopic, type Understanding } from './understanding/index.ts';
import { optOut, unsubscribeEmail } from './channel-status.ts';
import { channelsOf, contextOf, EMAIL_STOPPED, liveSeries, type CheckinSummary, type ConsentEvent, type PainTrack, type UserState } from './user.ts';
import { inferTimezone, resolveZone } from './zones.ts';

/** How many recent leg days the user record keeps (for gaps, loads and HISTORY). */
export const RECENT_CHECKINS = 8;
/** A break this long since the last leg day earns deload advice. */
export const DELOAD_AFTER_DAYS = 14;
/** A pain score at or above this gets the gentler plan and a next-morning check-in. */
export const HIGH_PAIN = 7;
/** Daily check-ins after a high score before a score that is not falling points to a clinician. */
export const PAIN_TRACK_DAYS = 3;
/** "pause" with no length pauses a week; no pause runs past three months. */
export const DEFAULT_PAUSE_DAYS = 7;
export const MAX_PAUSE_DAYS = 90;
/** A pause this long earns deload advice on RESUME, like a break between check-ins. */
const LONG_PAUSE_DAYS = 14;

export interface PendingReminder {
  stepId: string;
  dueAt: string;
}

export interface InboundText {
  /** sms when absent. */
  channel?: Channel;
  /** The sender: a phone number in E.164, or an email address. */
  from: string;
  text: string;
  now: Date;
  newId: () => string;
  defaultTimezone: string;
  /** Pending reminders, loaded by the caller only for STATUS. */
  pending?: readonly PendingReminder[];
}

const say = (key: SmsName, vars: Record<string, SaidValue> = {}): Said => ({ key, vars });

/**
 * Decides the reply to a text or an email and the state it changes. Pure: the caller loads
 * `user` (and, for STATUS, the pending reminders), passes the clock's `now` and an id generator,
 * and writes the result. An email only ever comes from someone who signed up, so `stored` is
 * never null for email. `u` is the understanding layer's reading of the message.
 */
export function respond(stored: UserState | null, input: InboundText, u: Understanding = understand(input.text, contextOf(stored))): Decision {
  const channel = input.channel ?? 'sms';
  if (channel === 'email' && !stored?.email) return { ...nothing, reply: null };
  const at = input.now.toISOString();
  const kind = u.intent.kind;
  // A message proves the channel works: a text from an unreachable or web-signed-up number, an
  // (authenticated) email from an address that has not followed its link yet.
  let user = stored;
  let proven: ConsentEvent | null = null;
  if (user && channel === 'sms' && (user.status === 'unreachable' || user.status === 'pending')) {
    if (user.status === 'pending') proven = { action: 'opt-in', at, via: 'first text from the number', text: input.text, channel };
    user = { ...user, status: 'active' };
  }
  if (user?.email && channel === 'email' && user.email.status === 'pending' && kind !== 'stop') {
    proven = { action: 'opt-in', at, via: 'email from the address', text: input.text, channel };
    user = { ...user, email: { ...user.email, status: 'confirmed' } };
  }
  const d = firstContact(stored, channel, kind, decide(user, { ...input, channel }, u));
  if (!proven || kind === 'stop') return d;
  // Keep the proof even when the message itself changes nothing else.
  const changed = d.user ?? { ...user!, version: user!.version + 1 };
  return { ...d, user: changed, consent: d.consent ?? proven };
}

/**
 * The carriers' rule: the first message a number gets from us says what the service is, how
 * often it texts, that rates may apply, and how to stop, whatever the person texted first.
 */
function firstContact(stored: UserState | null, channel: Channel, kind: string, d: Decision): Decision {
  if (channel !== 'sms' || stored !== null || d.reply === null) return d;
  if (kind === 'stop' || kind === 'start' || kind === 'help' || d.reply.key === 'checkinFirst') return d;
  return { ...d, disclose: true };
}

function decide(user: UserState | null, input: InboundText & { channel: Channel }, u: Understanding): Decision {
  const { from, text, now, channel } = input;
  const at = now.toISOString();
  const intent = u.intent;
  const optedOut = channel === 'sms' ? user?.status === 'opted_out' : EMAIL_STOPPED.has(user!.email!.status);
  const fresh = (): UserState => ({
    id: from,
    phone: from,
    status: 'active',
    email: null,
    enrolledAt: at,
    timezone: inferTimezone(from, input.defaultTimezone),
    recent: [],
    painTrack: null,
    pause: null,
    version: 0,
  });
  const bump = (u: UserState): UserState => ({ ...u, version: u.version + 1 });

  // After STOP only HELP and the opt-in words are answered (carrier rules; the same for email).
  if (optedOut && intent.kind !== 'start' && intent.kind !== 'help') return { ...nothing, reply: null };

  // The carrier keywords always work, whatever else the message says.
  switch (intent.kind) {
    case 'stop': {
      if (channel === 'email') {
        // No email to confirm an unsubscribe: the person asked for no more email.
        return { ...unsubscribeEmail(user!, at, 'unsubscribed', 'keyword by email', text), reply: null };
      }
      const reply = u.triage.tier === 'none' ? say('stopped') : say('stoppedRedFlag', { noticed: noticed(u) });
      return { ...optOut(user ?? fresh(), user, at, 'keyword', text), reply };
    }
    case 'start': {
      if (user && !optedOut) return { ...nothing, reply: say('started') };
      const base = user ?? fresh();
      return {
        ...nothing,
        reply: say('started'),
        user: bump(channel === 'sms' ? { ...base, status: 'active' } : { ...base, email: { ...base.email!, status: 'confirmed' } }),
        consent: { action: 'opt-in', at, via: 'keyword', text, channel },
      };
    }
    case 'help':
      return { ...nothing, reply: say('help') };
  }

  // Triage runs before anything else reads the message: a warning sign gets no exercise advice.
  if (u.triage.tier !== 'none') return redFlag(user, user ?? fresh(), input, u);

  switch (intent.kind) {
    case 'checkin':
      // "did legs yesterday, limping today" after today's check-in: about that session, not a new one.
      if (isEarlierSession(user, u, now)) return pain(user, input, u);
      return checkin(user, user ?? fresh(), input, u);
    case 'soreness':
    case 'score':
      return pain(user, input, u);
    case 'question':
      return question(user, input, intent.topic, u);
    case 'timezone':
      return timezone(user ?? fresh(), input, intent.zone);
    case 'status':
      return { ...nothing, reply: status(user, input) };
    case 'history':
      return { ...nothing, reply: history(user) };
    case 'pause':
      return pause(user, input, u);
    case 'resume':
      return resume(user, input);
    case 'skipped':
      return skipped(user, input, u);
    case 'misread':
      return misread(user, input);
    case 'upcoming':
      return { ...nothing, reply: upcoming(user, now) };
    case 'smalltalk': {
      if (intent.tone === 'thanks') return { ...nothing, reply: say('smallThanks') };
      if (intent.tone === 'better') return { ...nothing, reply: say('smallBetter') };
      // "ok" and 👍 need no answer, except from someone we have never heard from.
      if (intent.tone === 'greeting' || !user) return { ...nothing, reply: say('smallGreeting') };
      return { ...nothing, reply: null };
    }
    case 'unknown':
      return { ...nothing, reply: fallback(user, now) };
  }
}

/** "leg day today": after a break, the deload comes before the first session back, not after it. */
function upcoming(user: UserState | null, now: Date): Said {
  const last = user?.recent[0];
  if (!user || !last) return say('upcoming');
  const days = localDaysBetween(new Date(last.at), now, user.timezone);
  if (days < DELOAD_AFTER_DAYS) return say('upcoming');
  const before = heaviest(user.recent.map((c) => ({ at: c.at, lifts: c.lifts })), new Date(0));
  return say('upcomingAfterBreak', { weeks: Math.floor(days / 7), deload: before.length ? `: ${deloadRanges(before)}` : '' });
}

/** The short, specific "didn't catch that" for the moment the person is in. */
function fallback(user: UserState | null, now: Date): Said {
  if (user?.painTrack) return say('unknownPainCheck');
  const last = user?.recent[0];
  if (last && hoursSince(last.at, now) < 7 * 24) return say('unknownRecent');
  return say('unknown');
}

/** What the reply says it noticed: at most two signs, so a text stays short. */
function noticed(u: Understanding): string {
  const items = u.triage.noticed.slice(0, 2);
  return items.join(' and ');
}

/**
 * A warning sign: say what was noticed and the one thing to do, and nothing about exercise. The
 * scheduled recovery messages stop (they are exercise advice) until the next leg day, or until
 * the person says we misread them. A check-in is still logged, and the sign is kept with it.
 */
function redFlag(existing: UserState | null, base: UserState, input: InboundText & { channel: Channel }, u: Understanding): Decision {
  const { now, text } = input;
  const at = now.toISOString();
  const tier = u.triage.tier as 'soon' | 'emergency';
  const reply = say(tier === 'emergency' ? 'redFlagEmergency' : 'redFlagSoon', { noticed: noticed(u) });
  const isCheckin = u.intent.kind === 'checkin';
  if (!existing && !isCheckin) {
    // Nobody we know: answer, keep nothing but the count.
    return { ...nothing, reply, redFlag: { at, tier, signs: u.triage.signs, text, checkinId: null, checkinAt: null } };
  }
  let user = base;
  let checkin: Decision['checkin'] = null;
  const cancelSeries = liveSeries(existing);
  let consent: ConsentEvent | null = null;
  if (isCheckin) {
    const id = input.newId();
    const lifts = parseLifts(text, unitFor(base));
    const summary: CheckinSummary = { id, at, lifts, pain: u.entities.score !== null ? [u.entities.score] : [] };
    user = { ...user, recent: [summary, ...user.recent].slice(0, RECENT_CHECKINS) };
    checkin = { id, at, text, details: text, lifts };
    if (!existing || existing.recent.length === 0) consent = { action: 'opt-in', at, via: 'first check-in', text, channel: input.channel };
  } else if (u.entities.score !== null) {
    user = { ...user, recent: withPainScore(user.recent, u.entities.score) };
  }
  const last = user.recent[0];
  const score = u.entities.score;
  return {
    ...nothing,
    reply,
    user: { ...user, painTrack: null, version: base.version + 1 },
    checkin,
    painReport: { at, score, text, checkinId: last?.id ?? null, checkinAt: last?.at ?? null },
    redFlag: { at, tier, signs: u.triage.signs, text, checkinId: last?.id ?? null, checkinAt: last?.at ?? null },
    cancelSeries,
    consent,
  };
}

/** A backdated check-in ("yesterday") that is no later than the leg day already on record. */
function isEarlierSession(user: UserState | null, u: Understanding, now: Date): boolean {
  const last = user?.recent[0];
  const daysAgo = u.entities.daysAgo ?? 0;
  if (!user || !last || daysAgo === 0) return false;
  return localDaysBetween(new Date(last.at), sessionAt(now, daysAgo), user.timezone) <= 0;
}

/** When the session was: "yesterday" moves it back a day, at most two. */
const sessionAt = (now: Date, daysAgo: number) => new Date(now.getTime() - Math.min(daysAgo, 2) * 24 * 3_600_000);

function unitFor(user: UserState) {
  return user.phone ? defaultUnitFor(user.phone) : defaultUnitForZone(user.timezone);
}

function checkin(existing: UserState | null, base: UserState, input: InboundText & { channel: Channel }, u: Understanding): Decision {
  const { now, text } = input;
  // "legs done yesterday": the plan runs from then, and only what is still ahead is scheduled.
  const daysAgo = u.entities.daysAgo ?? 0;
  const checkinAt = sessionAt(now, daysAgo);
  const at = checkinAt.toISOString();
  const zone = base.timezone;
  const lifts = parseLifts(text, unitFor(base));
  const id = input.newId();
  const previous = base.recent[0];
  // The first leg day (even after a TZ or START text) carries the enrolment disclosures.
  const firstCheckin = !existing || existing.recent.length === 0;
  const sore = mentionsPain(u);
  const score = sore ? u.entities.score : null;
  const breakDays = previous ? localDaysBetween(new Date(previous.at), checkinAt, zone) : 0;
  const afterBreak = previous !== undefined && breakDays >= DELOAD_AFTER_DAYS;
  const beforeBreak = heaviest(base.recent.map((c) => ({ at: c.at, lifts: c.lifts })), new Date(0));
  // After a break the warm-up text repeats the reply's deload, never a 10% cap that contradicts it.
  // Kept with the leg day, so a replan says the same even once older leg days have dropped off.
  const deload = afterBreak ? (beforeBreak.length ? deloadRanges(beforeBreak) : null) : undefined;
  const summary: CheckinSummary = { id, at, lifts, pain: score !== null ? [score] : [], ...(deload !== undefined ? { deload } : {}) };
  const recent = [summary, ...base.recent].slice(0, RECENT_CHECKINS);

  let next: UserState = { ...base, recent, pause: null, painTrack: null, version: base.version + 1 };
  let reminders = planReminders({
    channels: channelsOf(next),
    checkinId: id,
    checkinAt,
    zone,
    gapDays: expectedGapDays(recent.map((c) => c.at), zone),
    caps: capsFor(recent, checkinAt),
    spreadKey: next.id,
    ...(deload !== undefined ? { deload } : {}),
  }).filter((r) => r.dueAt >= now);

  let reply: Said;
  if (score !== null && score >= HIGH_PAIN) {
    // "legs done, back 8/10": the gentler plan and tomorrow's check start now.
    const track: PainTrack = { id: `pain-${input.newId()}`, startedAt: now.toISOString(), scores: [score] };
    next = { ...next, painTrack: track };
    reminders = [...reminders, ...painCheckReminder(track.id, 1, now, zone, channelsOf(next), next.id)];
    reply = say('checkinWithPain', { painReply: say('painHigh', { score, iceOrHeat: iceOrHeat(checkinAt, now) }) });
  } else if (sore) {
    reply = say('checkinWithPain', { painReply: painAdvice(checkinAt, now) });
  } else if (afterBreak) {
    reply = beforeBreak.length
      ? say('checkinAfterBreak', { weeks: Math.floor(breakDays / 7), deload: deloadRanges(beforeBreak) })
      : say('checkinAfterBreakNoLifts', { weeks: Math.floor(breakDays / 7) });
  } else if (firstCheckin) {
    reply = say('checkinFirst');
  } else if (daysAgo > 0) {
    reply = say('checkinBackdated', { day: formatDay(checkinAt, zone), heatAt: formatWhen(heatFrom(checkinAt), zone) });
  } else {
    reply = say('checkinAgain');
  }

  return {
    ...nothing,
    reply,
    user: next,
    checkin: { id, at, text, details: text, lifts },
    painReport: score !== null || sore ? { at: now.toISOString(), score, text, checkinId: id, checkinAt: at } : null,
    reminders,
    cancelSeries: liveSeries(existing),
    consent: firstCheckin ? { action: 'opt-in', at: now.toISOString(), via: 'first check-in', text, channel: input.channel } : null,
  };
}

function pain(user: UserState | null, input: InboundText, u: Understanding): Decision {
  const { now, text } = input;
  const at = now.toISOString();
  const score = u.entities.score;
  const last = user?.recent[0];
  const painReport = { at, score, text, checkinId: last?.id ?? null, checkinAt: last?.at ?? null };
  if (user?.painTrack && score !== null) return painScore(user, input, score, text);

  const advice = last ? painAdvice(new Date(last.at), now) : say('painNoCheckin');
  if (!user) return { ...nothing, reply: advice };
  const recent = withPainScore(user.recent, score);
  if (score === null || score < HIGH_PAIN) {
    return { ...nothing, reply: advice, painReport, user: { ...user, recent, version: user.version + 1 } };
  }
  // A high score: a gentler plan now and a check-in tomorrow morning (not while paused).
  const track: PainTrack = { id: `pain-${input.newId()}`, startedAt: at, scores: [score] };
  return {
    ...nothing,
    reply: say('painHigh', { score, iceOrHeat: iceOrHeat(last ? new Date(last.at) : null, now) }),
    painReport,
    user: { ...user, recent, painTrack: track, version: user.version + 1 },
    reminders: isPaused(user, now) ? [] : painCheckReminder(track.id, 1, now, user.timezone, channelsOf(user), user.id),
  };
}

/** A score while a pain track is open: record it, then ease off, ask again, or send to a clinician. */
function painScore(user: UserState, input: InboundText, score: number, text: string): Decision {
  const { now } = input;
  const at = now.toISOString();
  const track = user.painTrack!;
  const last = user.recent[0];
  const scores = [...track.scores, score];
  const days = localDaysBetween(new Date(track.startedAt), now, user.timezone);
  const painReport = { at, score, text, checkinId: last?.id ?? null, checkinAt: last?.at ?? null };
  const recent = withPainScore(user.recent, score);
  const closed = { ...nothing, painReport, cancelSeries: [track.id] };

  if (score <= 3 || (days >= PAIN_TRACK_DAYS && score < scores[0]!)) {
    return { ...closed, reply: say('painEasing', { score }), user: { ...user, recent, painTrack: null, version: user.version + 1 } };
  }
  if (days >= PAIN_TRACK_DAYS) {
    return {
      ...closed,
      reply: say('painSeeClinician', { score, days }),
      user: { ...user, recent, painTrack: null, version: user.version + 1 },
    };
  }
  return {
    ...closed,
    reply: say('painNoted', { score, iceOrHeat: iceOrHeat(last ? new Date(last.at) : null, now) }),
    user: { ...user, recent, painTrack: { ...track, scores }, version: user.version + 1 },
    reminders: painCheckReminder(track.id, scores.length, now, user.timezone, channelsOf(user), user.id),
  };
}

/** Answers from the lifter's own state: how long since leg day, their last score, their next leg day. */
function question(user: UserState | null, input: InboundText, topic: QuestionTopic, u: Understanding): Decision {
  const { now } = input;
  const last = user?.recent[0];
  const since = last ? new Date(last.at) : null;
  const reply = (s: Said): Decision => ({ ...nothing, reply: s });
  switch (topic) {
    case 'ice-or-heat':
      if (!since || !user) return reply(say('answerIceOrHeat'));
      return reply(
        hoursSince(last!.at, now) < ICE_WINDOW_HOURS
          ? say('answerIce', { heatAt: formatWhen(heatFrom(since), user.timezone) })
          : say('answerHeat'),
      );
    case 'ice-duration': {
      const after =
        since && user
          ? hoursSince(last!.at, now) < ICE_WINDOW_HOURS
            ? say('answerIceDurationEarly', { heatAt: formatWhen(heatFrom(since), user.timezone) })
            : say('answerIceDurationLate')
          : '';
      return reply(say('answerIceDuration', { after }));
    }
    case 'train-again': {
      const score = user?.painTrack?.scores.at(-1) ?? last?.pain.at(-1);
      if (score !== undefined && score >= HIGH_PAIN) return reply(say('answerTrainSore', { score }));
      if (!user || !last) return reply(say('answerTrain', { next: 'whenever you feel ready' }));
      const gap = expectedGapDays(user.recent.map((c) => c.at), user.timezone);
      return reply(say('answerTrain', { next: formatDay(atLocalTime(new Date(last.at), user.timezone, gap, '08:00'), user.timezone) }));
    }
    case 'bracing':
      return reply(say('answerBracing'));
    case 'stretching':
      return reply(say('answerStretching'));
    case 'warm-up':
      return reply(say('answerWarmUp'));
    case 'progression':
      return reply(say('answerProgression'));
    case 'other':
      // "is it normal to be this sore?": the care steps answer it.
      return mentionsPain(u) ? pain(user, input, u) : reply(say('answerOther'));
  }
}

const isPaused = (user: UserState | null, now: Date) => Boolean(user?.pause && new Date(user.pause.until) > now);

/**
 * "pause", "snooze for a week", "on holiday, pause for 2 weeks": no scheduled messages until
 * then. The pending ones are cancelled; RESUME plans again whatever of the leg day is still ahead.
 */
function pause(user: UserState | null, input: InboundText, u: Understanding): Decision {
  const { now } = input;
  if (!user) return { ...nothing, reply: say('statusNone') };
  const weekday = localWeekday(now, user.timezone);
  const days = Math.min(MAX_PAUSE_DAYS, Math.max(1, u.entities.durationDays ?? pauseUntilWeekday(u, weekday) ?? DEFAULT_PAUSE_DAYS));
  const until = atLocalTime(now, user.timezone, days, PLAN.sendingHours.start);
  const from = user.pause && isPaused(user, now) ? user.pause.from : now.toISOString();
  return {
    ...nothing,
    reply: say('paused', { until: formatDay(until, user.timezone) }),
    user: { ...user, pause: { from, until: until.toISOString() }, painTrack: null, version: user.version + 1 },
    cancelSeries: liveSeries(user),
  };
}

/** The leg day's steps that are still ahead, planned again (after a pause or a misread warning). */
function replan(user: UserState, now: Date): NewReminder[] {
  return user.recent[0] ? replanAll(user).filter((r) => r.dueAt > now) : [];
}

function nextOf(reminders: readonly NewReminder[], zone: string): Said {
  const first = [...reminders].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
  return first ? say('resumeNext', { label: stepLabel(first.stepId), when: formatWhen(first.dueAt, zone) }) : say('resumeNothing');
}

function resume(user: UserState | null, input: InboundText): Decision {
  const { now } = input;
  if (!user || !user.pause) return { ...nothing, reply: say('notPaused', { next: status(user, input) }) };
  const next: UserState = { ...user, pause: null, version: user.version + 1 };
  const reminders = replan(next, now);
  const away = localDaysBetween(new Date(user.pause.from), now, user.timezone);
  const key = away >= LONG_PAUSE_DAYS ? 'resumedAfterBreak' : 'resumed';
  return { ...nothing, reply: say(key, { next: nextOf(reminders, user.timezone) }), user: next, reminders };
}

/** "sorry, misread": the care steps a sore lifter should have had, and the plan back on. */
function misread(user: UserState | null, input: InboundText): Decision {
  const { now } = input;
  const last = user?.recent[0];
  const care = last ? painAdvice(new Date(last.at), now) : say('painNoCheckin');
  if (!user || isPaused(user, now)) return { ...nothing, reply: say('misread', { care }) };
  // The reminders are written with the user's new version, like every other change.
  return { ...nothing, reply: say('misread', { care }), user: { ...user, version: user.version + 1 }, reminders: replan(user, now) };
}

/** "skipped leg day": the warm-up text moves to tomorrow morning (or the day named). */
function skipped(user: UserState | null, input: InboundText, u: Understanding): Decision {
  const { now } = input;
  const last = user?.recent[0];
  if (!user || !last) return { ...nothing, reply: say('skippedNoPlan') };
  const zone = user.timezone;
  const weekday = localWeekday(now, zone);
  const inDays = pauseUntilWeekday(u, weekday) ?? 1;
  // The moved warm-up text keeps the person's spread offset, like every other replan: an 08:00 move is a peak too.
  const when = movedStepTime('pre-leg-day', now, zone, inDays, user.id);
  const planned = replanAll(user).filter((r) => r.stepId === 'pre-leg-day');
  if (!planned.length) return { ...nothing, reply: say('skippedNoPlan') };
  // Still pending: move it. Already sent: a second warm-up text for the new day.
  const sent = planned[0]!.dueAt <= now;
  return {
    ...nothing,
    reply: say('skippedMoved', { when: formatWhen(when, zone) }),
    user: { ...user, version: user.version + 1 },
    reminders: sent ? planned.map((r) => ({ ...moveTo(r, when), stepId: 'pre-leg-day-2' })) : [],
    reschedule: sent ? [] : planned.map((r) => moveTo(r, when)),
  };
}

/** A reminder moved to another day keeps a window as long as the one it had ("before that day's training"). */
function moveTo(r: NewReminder, when: Date): NewReminder {
  return { ...r, dueAt: when, validUntil: new Date(r.validUntil.getTime() + (when.getTime() - r.dueAt.getTime())) };
}

/** The latest leg day's plan for the person as they are now (channels, zone), from `notBefore` when given. */
function replanAll(user: UserState, notBefore?: Date): NewReminder[] {
  const last = user.recent[0]!;
  const at = new Date(last.at);
  const deload = last.deload;
  return planReminders({
    channels: channelsOf(user),
    checkinId: last.id,
    checkinAt: at,
    zone: user.timezone,
    gapDays: expectedGapDays(user.recent.map((c) => c.at), user.timezone),
    caps: capsFor(user.recent, at),
    spreadKey: user.id,
    // The load advice the check-in planned: a replan after a break keeps the deload.
    ...(deload !== undefined ? { deload } : {}),
    ...(notBefore ? { notBefore } : {}),
  });
}


function timezone(user: UserState, input: InboundText, zoneText: string): Decision {
  const zone = resolveZone(zoneText);
  if (!zone) return { ...nothing, reply: say('tzUnknown') };
  const next: UserState = { ...user, timezone: zone, version: user.version + 1 };
  const last = user.recent[0];
  // Pending follow-ups move to the new zone's mornings and evenings.
  const reschedule = last ? replanAll(next, input.now) : [];
  return {
    ...nothing,
    reply: say('tzSet', { zone }),
    user: next,
    reschedule,
  };
}

/** The 10% caps for the warm-up text: the heaviest load per lift in the week before `checkinAt`. */
function capsFor(recent: readonly CheckinSummary[], checkinAt: Date): string | null {
  const loads = heaviest(
    recent.map((c) => ({ at: c.at, lifts: c.lifts })),
    new Date(checkinAt.getTime() - 7 * 24 * 3_600_000),
  );
  return loads.length ? tenPercentCaps(loads) : null;
}

function status(user: UserState | null, input: InboundText): Said {
  if (user?.pause && isPaused(user, input.now)) return say('statusPaused', { until: formatDay(new Date(user.pause.until), user.timezone) });
  const next = [...(input.pending ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!user || !next) {
    // Nothing waiting though the latest leg day's plan has steps ahead: they were called off (a
    // warning sign read, most often). Say so, and how to undo it, rather than "nothing scheduled".
    const held = user?.recent[0] && replanAll(user).some((r) => r.dueAt > input.now);
    return say(held ? 'statusHeld' : 'statusNone');
  }
  const label = stepLabel(next.stepId);
  return say('status', { label, when: formatWhen(new Date(next.dueAt), user.timezone) });
}

function history(user: UserState | null): Said {
  if (!user || user.recent.length === 0) return say('historyEmpty');
  const entries = user.recent.slice(0, 4).map((c) => {
    const day = formatDay(new Date(c.at), user.timezone);
    const lift = c.lifts[0] ? ` ${c.lifts[0].lift} ${c.lifts[0].weight}${c.lifts[0].unit}` : '';
    const pain = c.pain.length ? ` (pain ${c.pain.slice(-3).join(',')})` : '';
    return day + lift + pain;
  });
  return say('history', { entries });
}

function withPainScore(recent: readonly CheckinSummary[], score: number | null): CheckinSummary[] {
  if (score === null || recent.length === 0) return [...recent];
  const [first, ...rest] = recent;
  return [{ ...first!, pain: [...first!.pain, score].slice(-6) }, ...rest];
}

const hoursSince = (iso: string, now: Date) => (now.getTime() - new Date(iso).getTime()) / 3_600_000;

function painAdvice(checkinAt: Date, now: Date): Said {
  return hoursSince(checkinAt.toISOString(), now) < ICE_WINDOW_HOURS ? say('painEarly') : say('painLate');
}

/** Ice only inside the 48 h window after leg day (and only for a sharp or swollen spot); heat after. */
function iceOrHeat(since: Date | null, now: Date): Said {
  return since && hoursSince(since.toISOString(), now) < ICE_WINDOW_HOURS ? say('painIce') : say('painHeat');
}

const heatFrom = (checkinAt: Date) => new Date(checkinAt.getTime() + ICE_WINDOW_HOURS * 3_600_000);
