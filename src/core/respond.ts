import { SMS } from '../content/messages.ts';
import { RECOVERY_PLAN, type PlanStep } from '../content/plan.ts';
import { parseText, type PainReport } from './keywords.ts';
import { recoveryPhase, scheduleSteps, type ScheduledStep } from './schedule.ts';
import { hasRedFlag } from './triage.ts';

/** What the service knows of one phone number. */
export interface UserState {
  phone: string;
  status: 'active' | 'opted_out';
  enrolledAt: string;
  /** The latest leg day; only its follow-ups may be sent. */
  lastCheckin: { id: string; at: string } | null;
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
  checkin: { id: string; at: string; text: string; details: string; painScore: number | null } | null;
  reminders: ScheduledStep[];
  /** The check-in whose pending follow-ups must be cancelled in the same write. */
  cancelPendingOf: string | null;
  consent: ConsentEvent | null;
}

export interface InboundText {
  phone: string;
  text: string;
  now: Date;
  newId: () => string;
  plan?: readonly PlanStep[];
}

const nothing: Omit<Decision, 'reply'> = {
  user: null,
  checkin: null,
  reminders: [],
  cancelPendingOf: null,
  consent: null,
};

/**
 * Decides the reply to a text and the state it changes. Pure: the caller loads `user`, passes the
 * clock's `now` and an id generator, and writes the result.
 */
export function respond(user: UserState | null, input: InboundText): Decision {
  const { phone, text, now } = input;
  const at = now.toISOString();
  const intent = parseText(text);
  const optedOut = user?.status === 'opted_out';

  switch (intent.kind) {
    case 'stop': {
      if (optedOut) return { ...nothing, reply: null };
      const next: UserState = user
        ? { ...user, status: 'opted_out', version: user.version + 1 }
        : { phone, status: 'opted_out', enrolledAt: at, lastCheckin: null, version: 1 };
      return {
        ...nothing,
        reply: SMS.stopped,
        user: next,
        cancelPendingOf: user?.lastCheckin?.id ?? null,
        consent: { action: 'opt-out', at, via: 'keyword', text },
      };
    }
    case 'start': {
      if (user && !optedOut) return { ...nothing, reply: SMS.started };
      const next: UserState = user
        ? { ...user, status: 'active', version: user.version + 1 }
        : { phone, status: 'active', enrolledAt: at, lastCheckin: null, version: 1 };
      return { ...nothing, reply: SMS.started, user: next, consent: { action: 'opt-in', at, via: 'keyword', text } };
    }
    case 'help':
      // Carriers expect HELP to be answered even for numbers that opted out.
      return { ...nothing, reply: SMS.help };
    case 'checkin': {
      if (optedOut) return { ...nothing, reply: null };
      if (intent.pain && hasRedFlag(text)) return { ...nothing, reply: SMS.urgent };
      const checkin = {
        id: input.newId(),
        at,
        text,
        details: intent.details,
        painScore: intent.pain?.score ?? null,
      };
      const next: UserState = user
        ? { ...user, lastCheckin: { id: checkin.id, at }, version: user.version + 1 }
        : { phone, status: 'active', enrolledAt: at, lastCheckin: { id: checkin.id, at }, version: 1 };
      const reply = intent.pain
        ? SMS.checkinWithPainPrefix + painAdvice(now, now)
        : user
          ? SMS.checkinAgain
          : SMS.checkinFirst;
      return {
        reply,
        user: next,
        checkin,
        reminders: scheduleSteps(now, input.plan ?? RECOVERY_PLAN),
        cancelPendingOf: user?.lastCheckin?.id ?? null,
        consent: user ? null : { action: 'opt-in', at, via: 'first check-in', text },
      };
    }
    case 'pain':
      if (optedOut) return { ...nothing, reply: null };
      return { ...nothing, reply: painReply(user, intent.report, now) };
    case 'unknown':
      if (optedOut) return { ...nothing, reply: null };
      return { ...nothing, reply: hasRedFlag(text) ? SMS.urgent : SMS.unknown };
  }
}

/** Back-care steps fitted to how long ago the last leg day was; red flags first and alone. */
export function painReply(user: UserState | null, report: PainReport, now: Date): string {
  if (hasRedFlag(report.text)) return SMS.urgent;
  const last = user?.lastCheckin ? new Date(user.lastCheckin.at) : null;
  return last ? painAdvice(last, now) : SMS.painNoCheckin;
}

function painAdvice(checkinAt: Date, now: Date): string {
  return recoveryPhase(checkinAt, now) === 'ice' ? SMS.painEarly : SMS.painLate;
}
