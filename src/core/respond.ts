import { ICE_WINDOW_HOURS, stepLabel, type SmsName } from '../content/index.ts';
import { smsText, type Said, type SaidValue } from '../content/email.ts';
import { parseText, type Intent, type PainReport } from './keywords.ts';
import { defaultUnitFor, defaultUnitForZone, deloadRanges, heaviest, parseLifts, tenPercentCaps, type Lift } from './lifts.ts';
import { formatDay, formatWhen, localDaysBetween } from './local-time.ts';
import { expectedGapDays, painCheckReminder, planReminders, type Channel, type NewReminder } from './plan.ts';
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

/**
 * An email address and where it stands. pending: signed up, link not yet followed; confirmed:
 * recovery emails go to it; unsubscribed, bounced, complained: nothing more goes to it.
 */
export interface EmailContact {
  address: string;
  status: 'pending' | 'confirmed' | 'unsubscribed' | 'bounced' | 'complained';
}

/** What the service knows of one person. */
export interface UserState {
  /** The storage key: the phone number for anyone who has one, else "email:" and the address. */
  id: string;
  phone: string | null;
  /**
   * The SMS channel. pending: given on the sign-up page, not yet confirmed by a text from it;
   * unreachable: the carrier said the number cannot take texts (landline, unknown number).
   */
  status: 'active' | 'opted_out' | 'unreachable' | 'pending';
  email: EmailContact | null;
  enrolledAt: string;
  timezone: string;
  /** Newest first; [0] is the leg day whose follow-ups may be sent. */
  recent: CheckinSummary[];
  painTrack: PainTrack | null;
  /** Bumped on every write; guards against two webhooks for one number racing. */
  version: number;
}

export const emailUserId = (address: string) => `email:${address}`;

export interface ConsentEvent {
  action: 'opt-in' | 'opt-out';
  at: string;
  /** How it happened, e.g. "keyword" or "first check-in". */
  via: string;
  /** The message that did it (kept as the record of consent). */
  text: string;
  channel?: Channel;
}

/** Everything one inbound message changes; the adapter writes it as one transaction. */
export interface Decision {
  /** The reply as a text message (null for none). */
  reply: string | null;
  /** The same reply before wording, for channels that word it their own way (email). */
  said: Said | null;
  /** The person's new state, or null when the message changes nothing about them. */
  user: UserState | null;
  checkin: { id: string; at: string; text: string; details: string; lifts: Lift[] } | null;
  painReport: { at: string; score: number | null; text: string; checkinId: string | null; checkinAt: string | null } | null;
  /** New reminders to store. */
  reminders: NewReminder[];
  /** New times for reminders that exist; written only where they are still pending. */
  reschedule: NewReminder[];
  /** Series (check-ins, pain tracks) whose pending reminders are cancelled in the same write. */
  cancelSeries: string[];
  /** One channel's pending reminders in these series are cancelled (an opt-out on that channel). */
  cancelChannel: { channel: Channel; series: string[] } | null;
  consent: ConsentEvent | null;
}

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

type Draft = Omit<Decision, 'reply' | 'said'> & { reply: Said | null };

/** A decision that changes nothing; spread it and add what does change. */
export const nothing: Omit<Decision, 'reply' | 'said'> = {
  user: null,
  checkin: null,
  painReport: null,
  reminders: [],
  reschedule: [],
  cancelSeries: [],
  cancelChannel: null,
  consent: null,
};

/** A decision that changes nothing and says nothing. */
export const noChange: Decision = { ...nothing, reply: null, said: null };

/** The same decision with no reply on any channel (the text and its un-worded form go together). */
export const withoutReply = (d: Decision): Decision => ({ ...d, reply: null, said: null });

const say = (key: SmsName, vars: Record<string, SaidValue> = {}): Said => ({ key, vars });

const finish = (d: Draft): Decision => ({ ...d, reply: d.reply ? smsText(d.reply) : null, said: d.reply });

/** The series whose reminders may still be pending for this user. */
export function liveSeries(user: UserState | null): string[] {
  if (!user) return [];
  return [user.recent[0]?.id, user.painTrack?.id].filter((s): s is string => Boolean(s));
}

/** The channels that recovery messages go out on now. */
export function channelsOf(user: UserState): Channel[] {
  const out: Channel[] = [];
  if (user.phone && user.status === 'active') out.push('sms');
  if (user.email?.status === 'confirmed') out.push('email');
  return out;
}

const EMAIL_STOPPED = new Set<EmailContact['status']>(['unsubscribed', 'bounced', 'complained']);

/**
 * Decides the reply to a text or an email and the state it changes. Pure: the caller loads
 * `user` (and, for STATUS, the pending reminders), passes the clock's `now` and an id generator,
 * and writes the result. An email only ever comes from someone who signed up, so `stored` is
 * never null for email.
 */
export function respond(stored: UserState | null, input: InboundText, intent: Intent = parseText(input.text)): Decision {
  const channel = input.channel ?? 'sms';
  if (channel === 'email' && !stored?.email) return finish({ ...nothing, reply: null });
  const at = input.now.toISOString();
  // A message proves the channel works: a text from an unreachable or web-signed-up number, an
  // (authenticated) email from an address that has not followed its link yet.
  let user = stored;
  let proven: ConsentEvent | null = null;
  if (user && channel === 'sms' && (user.status === 'unreachable' || user.status === 'pending')) {
    if (user.status === 'pending') proven = { action: 'opt-in', at, via: 'first text from the number', text: input.text, channel };
    user = { ...user, status: 'active' };
  }
  if (user?.email && channel === 'email' && user.email.status === 'pending' && intent.kind !== 'stop') {
    proven = { action: 'opt-in', at, via: 'email from the address', text: input.text, channel };
    user = { ...user, email: { ...user.email, status: 'confirmed' } };
  }
  const d = decide(user, { ...input, channel }, intent);
  if (!proven || intent.kind === 'stop') return finish(d);
  // Keep the proof even when the message itself changes nothing else.
  const changed = d.user ?? { ...user!, version: user!.version + 1 };
  return finish({ ...d, user: changed, consent: d.consent ?? proven });
}

function decide(user: UserState | null, input: InboundText & { channel: Channel }, intent: Intent): Draft {
  const { from, text, now, channel } = input;
  const at = now.toISOString();
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
    version: 0,
  });
  const bump = (u: UserState): UserState => ({ ...u, version: u.version + 1 });

  // After STOP only HELP and the opt-in words are answered (carrier rules; the same for email).
  if (optedOut && intent.kind !== 'start' && intent.kind !== 'help') return { ...nothing, reply: null };

  switch (intent.kind) {
    case 'stop':
      if (channel === 'email') {
        // No email to confirm an unsubscribe: the person asked for no more email.
        return { ...unsubscribeEmail(user!, at, 'unsubscribed', 'keyword by email', text), reply: null };
      }
      return { ...optOut(user ?? fresh(), user, at, 'keyword', text), reply: say('stopped') };
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
    case 'checkin':
      return checkin(user, user ?? fresh(), input, intent);
    case 'pain':
      return pain(user, input, intent.report);
    case 'score':
      if (user?.painTrack) return painScore(user, input, intent.score, text);
      return { ...nothing, reply: say('unknown') };
    case 'tz':
      return timezone(user ?? fresh(), input, intent.zone);
    case 'status':
      return { ...nothing, reply: status(user, input) };
    case 'history':
      return { ...nothing, reply: history(user) };
    case 'unknown':
      return { ...nothing, reply: hasRedFlag(text) ? say('urgent') : say('unknown') };
  }
}

/** The pain track stays only while some channel can still carry its check-ins. */
const trackIfReachable = (u: UserState): UserState => (channelsOf(u).length ? u : { ...u, painTrack: null });

function optOut(base: UserState, existing: UserState | null, at: string, via: string, text: string): Omit<Draft, 'reply'> {
  return {
    ...nothing,
    user: trackIfReachable({ ...base, status: 'opted_out', version: base.version + 1 }),
    cancelChannel: { channel: 'sms', series: liveSeries(existing) },
    consent: { action: 'opt-out', at, via, text, channel: 'sms' },
  };
}

function unsubscribeEmail(
  user: UserState,
  at: string,
  status: 'unsubscribed' | 'bounced' | 'complained',
  via: string,
  text: string,
): Omit<Draft, 'reply'> {
  return {
    ...nothing,
    user: trackIfReachable({ ...user, email: { ...user.email!, status }, version: user.version + 1 }),
    cancelChannel: { channel: 'email', series: liveSeries(user) },
    consent: { action: 'opt-out', at, via, text, channel: 'email' },
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
  if (!user || user.status === 'opted_out') return finish({ ...nothing, reply: null });
  const via = `carrier error ${refusal.code}`;
  if (refusal.kind === 'opted-out') return finish({ ...optOut(user, user, at, via, refusal.message), reply: null });
  return finish({
    ...nothing,
    reply: null,
    user: trackIfReachable({ ...user, status: 'unreachable', version: user.version + 1 }),
    cancelChannel: { channel: 'sms', series: liveSeries(user) },
  });
}

/**
 * An email address changed standing from outside a message: its link was followed
 * (confirmed), its one-click unsubscribe was used, or SES reported a hard bounce or a complaint.
 * Returns null when nothing changes (a second click, a bounce for an address already stopped).
 */
export function emailStatusChange(
  user: UserState | null,
  change: { address: string; to: EmailContact['status']; via: string; detail: string; now: Date },
): Decision | null {
  const email = user?.email;
  if (!user || !email || email.address !== change.address || email.status === change.to) return null;
  const at = change.now.toISOString();
  if (change.to === 'confirmed') {
    // A link in an old confirmation email must not undo a later unsubscribe or bounce.
    if (email.status !== 'pending') return null;
    return finish({
      ...nothing,
      reply: null,
      user: { ...user, email: { ...email, status: 'confirmed' }, version: user.version + 1 },
      consent: { action: 'opt-in', at, via: change.via, text: change.detail, channel: 'email' },
    });
  }
  if (change.to === 'pending') return null;
  // A complaint outranks an unsubscribe; anything stopped stays stopped by a later bounce report.
  if (EMAIL_STOPPED.has(email.status) && change.to !== 'complained') return null;
  return finish({ ...unsubscribeEmail(user, at, change.to, change.via, change.detail), reply: null });
}

function checkin(
  existing: UserState | null,
  base: UserState,
  input: InboundText & { channel: Channel },
  intent: Extract<Intent, { kind: 'checkin' }>,
): Draft {
  const { now, text } = input;
  const at = now.toISOString();
  if (intent.pain && hasRedFlag(text)) return { ...nothing, reply: say('urgent') };
  const zone = base.timezone;
  const lifts = parseLifts(intent.details, base.phone ? defaultUnitFor(base.phone) : defaultUnitForZone(zone));
  const id = input.newId();
  const previous = base.recent[0];
  // The first leg day (even after a TZ or START text) carries the enrolment disclosures.
  const firstCheckin = !existing || existing.recent.length === 0;
  const summary: CheckinSummary = { id, at, lifts, pain: intent.pain?.score != null ? [intent.pain.score] : [] };
  const recent = [summary, ...base.recent].slice(0, RECENT_CHECKINS);

  const next: UserState = { ...base, recent, version: base.version + 1 };
  const reminders = planReminders({
    channels: channelsOf(next),
    checkinId: id,
    checkinAt: now,
    zone,
    gapDays: expectedGapDays(recent.map((c) => c.at), zone),
    caps: capsFor(recent, now),
    spreadKey: next.id,
  });

  let reply: Said;
  const breakDays = previous ? localDaysBetween(new Date(previous.at), now, zone) : 0;
  const beforeBreak = heaviest(base.recent.map((c) => ({ at: c.at, lifts: c.lifts })), new Date(0));
  if (intent.pain) {
    reply = say('checkinWithPain', { painReply: painAdvice(now, now) });
  } else if (previous && breakDays >= DELOAD_AFTER_DAYS && beforeBreak.length) {
    reply = say('checkinAfterBreak', { weeks: Math.floor(breakDays / 7), deload: deloadRanges(beforeBreak) });
  } else {
    reply = firstCheckin ? say('checkinFirst') : say('checkinAgain');
  }

  return {
    ...nothing,
    reply,
    user: next,
    checkin: { id, at, text, details: intent.details, lifts },
    painReport: intent.pain ? { at, score: intent.pain.score, text, checkinId: id, checkinAt: at } : null,
    reminders,
    cancelSeries: previous ? [previous.id] : [],
    consent: firstCheckin ? { action: 'opt-in', at, via: 'first check-in', text, channel: input.channel } : null,
  };
}

function pain(user: UserState | null, input: InboundText, report: PainReport): Draft {
  const { now, text } = input;
  const at = now.toISOString();
  const last = user?.recent[0];
  const painReport = { at, score: report.score, text, checkinId: last?.id ?? null, checkinAt: last?.at ?? null };
  if (hasRedFlag(text)) return { ...nothing, reply: say('urgent'), painReport };
  if (user?.painTrack && report.score !== null) return painScore(user, input, report.score, text);

  const advice = last ? painAdvice(new Date(last.at), now) : say('painNoCheckin');
  if (!user) return { ...nothing, reply: advice };
  const recent = withPainScore(user.recent, report.score);
  if (report.score === null || report.score < HIGH_PAIN) {
    return { ...nothing, reply: advice, painReport, user: { ...user, recent, version: user.version + 1 } };
  }
  // A high score: a gentler plan now and a check-in tomorrow morning.
  const track: PainTrack = { id: `pain-${input.newId()}`, startedAt: at, scores: [report.score] };
  const iceOrHeat = last && hoursSince(last.at, now) < ICE_WINDOW_HOURS ? say('painIce') : say('painHeat');
  return {
    ...nothing,
    reply: say('painHigh', { score: report.score, iceOrHeat }),
    painReport,
    user: { ...user, recent, painTrack: track, version: user.version + 1 },
    reminders: painCheckReminder(track.id, 1, now, user.timezone, channelsOf(user)),
  };
}

/** A score while a pain track is open: record it, then ease off, ask again, or send to a clinician. */
function painScore(user: UserState, input: InboundText, score: number, text: string): Draft {
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
    reply: say('painNoted', { score }),
    user: { ...user, recent, painTrack: { ...track, scores }, version: user.version + 1 },
    reminders: painCheckReminder(track.id, scores.length, now, user.timezone, channelsOf(user)),
  };
}

function timezone(user: UserState, input: InboundText, zoneText: string): Draft {
  const zone = resolveZone(zoneText);
  if (!zone) return { ...nothing, reply: say('tzUnknown') };
  const next: UserState = { ...user, timezone: zone, version: user.version + 1 };
  const last = user.recent[0];
  // Pending follow-ups move to the new zone's mornings and evenings.
  const reschedule = last
    ? planReminders({
        channels: channelsOf(user),
        checkinId: last.id,
        checkinAt: new Date(last.at),
        zone,
        gapDays: expectedGapDays(user.recent.map((c) => c.at), zone),
        caps: capsFor(user.recent, new Date(last.at)),
        notBefore: input.now,
        spreadKey: user.id,
      })
    : [];
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
  const next = [...(input.pending ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!user || !next) return say('statusNone');
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
