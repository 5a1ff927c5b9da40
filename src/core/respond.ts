import { ICE_WINDOW_HOURS, SMS, STEP_LABEL, render } from '../content/index.ts';
import { parseText, type Intent, type PainReport } from './keywords.ts';
import { defaultUnitFor, deloadRanges, heaviest, parseLifts, tenPercentCaps, type Lift } from './lifts.ts';
import { formatDay, formatWhen, localDaysBetween } from './local-time.ts';
import { expectedGapDays, painCheckReminder, planReminders, type NewReminder } from './plan.ts';
import { hasRedFlag } from './triage.ts';
import { inferTimezone, resolveZone } from './zones.ts';

/** How many recent leg days the user record keeps (for gaps, loads and HISTORY). */
export const RECENT_CHECKINS = 8;
/** A break this long since the last leg day earns deload advice. */
export const DELOAD_AFTER_DAYS = 14;
/** A pain score at or above this gets the gentler plan and a next-morning check-in. */
export const HIGH_PAIN = 7;
/** Daily check-ins after a high score before a score that is not falling points to a clinician. */
export const PAIN_TRACK_DAYS = 3;

export interface CheckinSummary {
  id: string;
  at: string;
  lifts: Lift[];
  /** Pain scores reported after this leg day, oldest first. */
  pain: number[];
}

/** Follow-up of a high pain score: one score a day until it eases or three days pass. */
export interface PainTrack {
  id: string;
  startedAt: string;
  scores: number[];
}

/** What the service knows of one phone number. */
export interface UserState {
  phone: string;
  /** unreachable: the carrier said the number cannot take texts (landline, unknown number). */
  status: 'active' | 'opted_out' | 'unreachable';
  enrolledAt: string;
  timezone: string;
  /** Newest first; [0] is the leg day whose follow-ups may be sent. */
  recent: CheckinSummary[];
  painTrack: PainTrack | null;
  /** Bumped on every write; guards against two webhooks for one number racing. */
  version: number;
}

export interface ConsentEvent {
  action: 'opt-in' | 'opt-out';
  at: string;
  /** How it happened, e.g. "keyword" or "first check-in". */
  via: string;
  /** The message that did it (kept as the record of consent). */
  text: string;
}

/** Everything one inbound text changes; the adapter writes it as one transaction. */
export interface Decision {
  reply: string | null;
  /** The user's new state, or null when the text changes nothing about them. */
  user: UserState | null;
  checkin: { id: string; at: string; text: string; details: string; lifts: Lift[] } | null;
  painReport: { at: string; score: number | null; text: string; checkinId: string | null; checkinAt: string | null } | null;
  /** New reminders to store. */
  reminders: NewReminder[];
  /** New times for reminders that exist; written only where they are still pending. */
  reschedule: NewReminder[];
  /** Series (check-ins, pain tracks) whose pending reminders are cancelled in the same write. */
  cancelSeries: string[];
  consent: ConsentEvent | null;
}

export interface PendingReminder {
  stepId: string;
  dueAt: string;
}

export interface InboundText {
  phone: string;
  text: string;
  now: Date;
  newId: () => string;
  defaultTimezone: string;
  /** Pending reminders, loaded by the caller only for STATUS. */
  pending?: readonly PendingReminder[];
}

/** A decision that changes nothing; spread it and add what does change. */
export const nothing: Omit<Decision, 'reply'> = {
  user: null,
  checkin: null,
  painReport: null,
  reminders: [],
  reschedule: [],
  cancelSeries: [],
  consent: null,
};

/** The series whose reminders may still be pending for this user. */
export function liveSeries(user: UserState | null): string[] {
  if (!user) return [];
  return [user.recent[0]?.id, user.painTrack?.id].filter((s): s is string => Boolean(s));
}

/**
 * Decides the reply to a text and the state it changes. Pure: the caller loads `user` (and, for
 * STATUS, the pending reminders), passes the clock's `now` and an id generator, and writes the
 * result.
 */
export function respond(stored: UserState | null, input: InboundText, intent: Intent = parseText(input.text)): Decision {
  const { phone, text, now } = input;
  // A text from a number the carrier called unreachable proves it can take texts after all.
  const user: UserState | null = stored?.status === 'unreachable' ? { ...stored, status: 'active' } : stored;
  const at = now.toISOString();
  const optedOut = user?.status === 'opted_out';
  const fresh = (): UserState => ({
    phone,
    status: 'active',
    enrolledAt: at,
    timezone: inferTimezone(phone, input.defaultTimezone),
    recent: [],
    painTrack: null,
    version: 0,
  });
  const bump = (u: UserState): UserState => ({ ...u, version: u.version + 1 });

  // After STOP only HELP and the opt-in words are answered (carrier rules).
  if (optedOut && intent.kind !== 'start' && intent.kind !== 'help') return { ...nothing, reply: null };

  switch (intent.kind) {
    case 'stop':
      return { ...optOut(user ?? fresh(), user, at, 'keyword', text), reply: SMS.stopped };
    case 'start': {
      if (user && !optedOut) return { ...nothing, reply: SMS.started };
      return {
        ...nothing,
        reply: SMS.started,
        user: bump({ ...(user ?? fresh()), status: 'active' }),
        consent: { action: 'opt-in', at, via: 'keyword', text },
      };
    }
    case 'help':
      return { ...nothing, reply: SMS.help };
    case 'checkin':
      return checkin(user, user ?? fresh(), input, intent);
    case 'pain':
      return pain(user, input, intent.report);
    case 'score':
      if (user?.painTrack) return painScore(user, input, intent.score, text);
      return { ...nothing, reply: SMS.unknown };
    case 'tz':
      return timezone(user ?? fresh(), input, intent.zone);
    case 'status':
      return { ...nothing, reply: status(user, input) };
    case 'history':
      return { ...nothing, reply: history(user) };
    case 'unknown':
      return { ...nothing, reply: hasRedFlag(text) ? SMS.urgent : SMS.unknown };
  }
}

function optOut(base: UserState, existing: UserState | null, at: string, via: string, text: string): Decision {
  return {
    ...nothing,
    reply: null,
    user: { ...base, status: 'opted_out', painTrack: null, version: base.version + 1 },
    cancelSeries: liveSeries(existing),
    consent: { action: 'opt-out', at, via, text },
  };
}

/**
 * The carrier refused a send. 21610 (the person texted STOP to the carrier or Twilio) is an
 * opt-out exactly like an inbound STOP; an unreachable number (landline, unknown) stops all
 * sending until the number texts us again.
 */
export function carrierRefusal(
  user: UserState | null,
  refusal: { phone: string; kind: 'opted-out' | 'unreachable'; code: string; message: string; now: Date; defaultTimezone: string },
): Decision {
  const at = refusal.now.toISOString();
  if (!user || user.status === 'opted_out') return { ...nothing, reply: null };
  const via = `carrier error ${refusal.code}`;
  if (refusal.kind === 'opted-out') return optOut(user, user, at, via, refusal.message);
  return {
    ...nothing,
    reply: null,
    user: { ...user, status: 'unreachable', painTrack: null, version: user.version + 1 },
    cancelSeries: liveSeries(user),
  };
}

function checkin(
  existing: UserState | null,
  base: UserState,
  input: InboundText,
  intent: Extract<Intent, { kind: 'checkin' }>,
): Decision {
  const { now, text } = input;
  const at = now.toISOString();
  if (intent.pain && hasRedFlag(text)) return { ...nothing, reply: SMS.urgent };
  const zone = base.timezone;
  const lifts = parseLifts(intent.details, defaultUnitFor(base.phone));
  const id = input.newId();
  const previous = base.recent[0];
  // The first leg day (even after a TZ or START text) carries the enrolment disclosures.
  const firstCheckin = !existing || existing.recent.length === 0;
  const summary: CheckinSummary = { id, at, lifts, pain: intent.pain?.score != null ? [intent.pain.score] : [] };
  const recent = [summary, ...base.recent].slice(0, RECENT_CHECKINS);

  const reminders = planReminders({
    checkinId: id,
    checkinAt: now,
    zone,
    gapDays: expectedGapDays(recent.map((c) => c.at), zone),
    caps: capsFor(recent, now),
  });

  let reply: string;
  const breakDays = previous ? localDaysBetween(new Date(previous.at), now, zone) : 0;
  const beforeBreak = heaviest(base.recent.map((c) => ({ at: c.at, lifts: c.lifts })), new Date(0));
  if (intent.pain) {
    reply = render(SMS.checkinWithPain, { painReply: painAdvice(now, now) });
  } else if (previous && breakDays >= DELOAD_AFTER_DAYS && beforeBreak.length) {
    reply = render(SMS.checkinAfterBreak, { weeks: Math.floor(breakDays / 7), deload: deloadRanges(beforeBreak) });
  } else {
    reply = firstCheckin ? SMS.checkinFirst : SMS.checkinAgain;
  }

  return {
    ...nothing,
    reply,
    user: { ...base, status: 'active', recent, version: base.version + 1 },
    checkin: { id, at, text, details: intent.details, lifts },
    painReport: intent.pain ? { at, score: intent.pain.score, text, checkinId: id, checkinAt: at } : null,
    reminders,
    cancelSeries: previous ? [previous.id] : [],
    consent: firstCheckin ? { action: 'opt-in', at, via: 'first check-in', text } : null,
  };
}

function pain(user: UserState | null, input: InboundText, report: PainReport): Decision {
  const { now, text } = input;
  const at = now.toISOString();
  const last = user?.recent[0];
  const painReport = { at, score: report.score, text, checkinId: last?.id ?? null, checkinAt: last?.at ?? null };
  if (hasRedFlag(text)) return { ...nothing, reply: SMS.urgent, painReport };
  if (user?.painTrack && report.score !== null) return painScore(user, input, report.score, text);

  const advice = last ? painAdvice(new Date(last.at), now) : SMS.painNoCheckin;
  if (!user) return { ...nothing, reply: advice };
  const recent = withPainScore(user.recent, report.score);
  if (report.score === null || report.score < HIGH_PAIN) {
    return { ...nothing, reply: advice, painReport, user: { ...user, recent, version: user.version + 1 } };
  }
  // A high score: a gentler plan now and a check-in tomorrow morning.
  const track: PainTrack = { id: `pain-${input.newId()}`, startedAt: at, scores: [report.score] };
  const iceOrHeat = last && hoursSince(last.at, now) < ICE_WINDOW_HOURS ? SMS.painIce : SMS.painHeat;
  return {
    ...nothing,
    reply: render(SMS.painHigh, { score: report.score, iceOrHeat }),
    painReport,
    user: { ...user, recent, painTrack: track, version: user.version + 1 },
    reminders: [painCheckReminder(track.id, 1, now, user.timezone)],
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
    return { ...closed, reply: render(SMS.painEasing, { score }), user: { ...user, recent, painTrack: null, version: user.version + 1 } };
  }
  if (days >= PAIN_TRACK_DAYS) {
    return {
      ...closed,
      reply: render(SMS.painSeeClinician, { score, days }),
      user: { ...user, recent, painTrack: null, version: user.version + 1 },
    };
  }
  return {
    ...closed,
    reply: render(SMS.painNoted, { score }),
    user: { ...user, recent, painTrack: { ...track, scores }, version: user.version + 1 },
    reminders: [painCheckReminder(track.id, scores.length, now, user.timezone)],
  };
}

function timezone(user: UserState, input: InboundText, zoneText: string): Decision {
  const zone = resolveZone(zoneText);
  if (!zone) return { ...nothing, reply: SMS.tzUnknown };
  const next: UserState = { ...user, timezone: zone, version: user.version + 1 };
  const last = user.recent[0];
  // Pending follow-ups move to the new zone's mornings and evenings.
  const reschedule = last
    ? planReminders({
        checkinId: last.id,
        checkinAt: new Date(last.at),
        zone,
        gapDays: expectedGapDays(user.recent.map((c) => c.at), zone),
        caps: capsFor(user.recent, new Date(last.at)),
        notBefore: input.now,
      })
    : [];
  return {
    ...nothing,
    reply: render(SMS.tzSet, { zone }),
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

function status(user: UserState | null, input: InboundText): string {
  const next = [...(input.pending ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!user || !next) return SMS.statusNone;
  const label = STEP_LABEL[next.stepId.replace(/-\d+$/, '')] ?? STEP_LABEL[next.stepId] ?? next.stepId;
  return render(SMS.status, { label, when: formatWhen(new Date(next.dueAt), user.timezone) });
}

function history(user: UserState | null): string {
  if (!user || user.recent.length === 0) return SMS.historyEmpty;
  const entries = user.recent.slice(0, 4).map((c) => {
    const day = formatDay(new Date(c.at), user.timezone);
    const lift = c.lifts[0] ? ` ${c.lifts[0].lift} ${c.lifts[0].weight}${c.lifts[0].unit}` : '';
    const pain = c.pain.length ? ` (pain ${c.pain.slice(-3).join(',')})` : '';
    return day + lift + pain;
  });
  return render(SMS.history, { entries: entries.join('; ') });
}

function withPainScore(recent: readonly CheckinSummary[], score: number | null): CheckinSummary[] {
  if (score === null || recent.length === 0) return [...recent];
  const [first, ...rest] = recent;
  return [{ ...first!, pain: [...first!.pain, score].slice(-6) }, ...rest];
}

const hoursSince = (iso: string, now: Date) => (now.getTime() - new Date(iso).getTime()) / 3_600_000;

function painAdvice(checkinAt: Date, now: Date): string {
  return hoursSince(checkinAt.toISOString(), now) < ICE_WINDOW_HOURS ? SMS.painEarly : SMS.painLate;
}
