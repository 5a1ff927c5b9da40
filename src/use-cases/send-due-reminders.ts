import { layoutEmail, type EmailContent } from '../content/email.ts';
import { UnknownStepError } from '../content/index.ts';
import { CHANNELS, type StepWording, type Worded } from '../core/channel.ts';
import { placeInWindow } from '../core/plan.ts';
import { GAVE_UP, SendError, type OutboundEmail, type OutboundSms, type Clock, type DueReminder, type EmailDelivery, type Log, type Metrics, type SmsSender, type Store } from './ports.ts';
import { recordCarrierRefusal } from './record-carrier-refusal.ts';

export interface SweepDeps {
  store: Store;
  sender: SmsSender;
  email: EmailDelivery;
  log: Log;
  metrics: Metrics;
  newId: () => string;
  /** Real elapsed time, for pacing sends and the sweep's own deadline (not the sweep's "now"). */
  wallClock: Clock;
  sleep: (ms: number) => Promise<void>;
  defaultTimezone: string;
  /** The templates each step is worded with as it is sent: the content files' unless given. */
  wording?: StepWording;
}

/** Sends one reminder email: its words plus the unsubscribe link, laid out as text and HTML. */
export async function sendReminderEmail(email: EmailDelivery, to: string, content: EmailContent, ref?: OutboundEmail['ref']): Promise<{ id: string }> {
  const unsubscribeUrl = email.unsubscribeUrl(to);
  return email.sender.send({ to, ...layoutEmail(content, { unsubscribeUrl }), unsubscribeUrl, ...(ref ? { ref } : {}) });
}

export interface SweepOptions {
  /** The sweep's "now": the scheduled event's time in Lambda, the dev clock locally. */
  now: Date;
  /** Reminders read from the due index at a time; a sweep takes batch after batch while it has time. */
  batchSize?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  /** Messages per second the sender may send (1 for a US long code); 0 for no cap. */
  ratePerSecond?: number;
  /** Stop starting new sends after this many ms of wall time (the Lambda's timeout, less a margin). */
  budgetMs?: number;
  /** How long a claim holds before another sweeper may take the reminder over. */
  claimMs?: number;
  /** Sends tried per reminder before it is marked failed. */
  maxAttempts?: number;
  /** Most batches of `batchSize` one sweep works through (while its time budget lasts). */
  maxBatches?: number;
  /** At most one scheduled message per person per channel in this long (replies are never held back). */
  slotMs?: number;
}

/** The no-burst rule: one scheduled message per person per channel in any 60 minutes. */
export const SLOT_MS = 60 * 60_000;

/** A sent message's words: a text's body, or an email's content (without its links). */
export type SentWords = { channel: 'sms'; body: string } | { channel: 'email'; body: EmailContent };

export type SentReminder = SentWords & {
  to: string;
  series: string;
  stepId: string;
  providerId: string;
  /** When it went (the sweep's now) and when it was planned to, ISO. */
  sentAt: string;
  dueAt: string;
  lateSeconds: number;
};

export interface SweepResult {
  sent: SentReminder[];
  retrying: number;
  /** Due, but outside the person's sending hours, or waiting its turn after another message to the same person: moved later inside its window. */
  deferred: number;
  /** Its window passed before it could go: kept as expired, never sent. */
  expired: number;
  failed: number;
  cancelled: number;
  skipped: number;
  /** Seconds the oldest due reminder had waited when the sweep found it (0 when none). */
  oldestDueAgeSeconds: number;
  /** How late the sent messages went, in seconds after their planned time (null when none went). */
  lateness: { p50: number; p99: number } | null;
}

/** The nearest-rank percentile of some values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Of several messages due to one person on one channel, the most relevant goes first: the one
 * planned latest (the plan's current advice), and of equals the one whose window closes first.
 */
export function byRelevance(a: DueReminder, b: DueReminder): number {
  return b.dueAt.localeCompare(a.dueAt) || (a.validUntil ?? '~').localeCompare(b.validUntil ?? '~');
}

/** How far back to look for a send that timed out, for a reminder claimed before first tries were recorded. */
const UNCERTAIN_LOOKBACK_MS = 24 * 3_600_000;
/** Clock skew allowed between the sweep's "now" and Twilio's send date (well under the one-hour slot). */
const SEND_DATE_SKEW_MS = 2 * 60_000;

/**
 * Whether an earlier, uncertain try of this text reached Twilio. First the reminder's own record:
 * each text asks for a status callback whose signed URL names its reminder, and a report for a
 * try that timed out is stored on the reminder (Store.recordDelivery). A report Twilio did not
 * give up on means Twilio took this reminder's message. Otherwise (no report: lost, not come yet,
 * or Twilio never took the message; or a report of a message Twilio gave up on, perhaps an earlier
 * try's) Twilio's message log is searched, leaving out the messages it gave up on: its messages
 * do not say which callback they carry, so the match is the body to this number since the
 * reminder was first tried. The no-burst slot keeps any other scheduled text to
 * the number at least an hour before that.
 */
async function findEarlierSend(deps: SweepDeps, ref: DueReminder, body: string, which: NonNullable<OutboundSms['ref']>, now: Date): Promise<{ id: string } | null> {
  const record = await deps.store.sendRecord(ref);
  if (record.report && !GAVE_UP.includes(record.report.status)) return { id: record.report.providerId };
  // No report, or one about a message Twilio gave up on, which may be an earlier try's: a later
  // try whose report has not come may still have reached Twilio, so its log decides.
  const since = record.firstTriedAt ? new Date(record.firstTriedAt.getTime() - SEND_DATE_SKEW_MS) : new Date(now.getTime() - UNCERTAIN_LOOKBACK_MS);
  return deps.sender.findSent({ to: ref.to, body, ref: which, since });
}

/**
 * The words a reminder goes with: its step worded now by its channel, so a fix to the wording
 * reaches reminders already planned. One planned before wording moved to send time goes with the
 * words it was planned with. A SendError when no retry can give it words: a stored email that
 * cannot be read, or a step taken out of the wording since it was planned. Any other error (a
 * broken template) is thrown as it is, and the reminder is tried again.
 */
function wordsOf(ref: DueReminder, wording: StepWording | undefined): Worded {
  if (ref.stored === undefined) {
    try {
      return CHANNELS[ref.channel].wordStep(ref, wording);
    } catch (err) {
      if (err instanceof UnknownStepError) throw new SendError('rejected', 'StepNotWorded', err.message);
      throw err;
    }
  }
  if (ref.channel === 'sms') return { channel: 'sms', text: ref.stored };
  if (ref.stored === null) throw new SendError('rejected', 'InvalidStoredEmail', 'the stored email is not an email');
  return { channel: 'email', content: ref.stored };
}

/** Backoff before retry N (1-based): 1, 2, 4, 8 ... minutes, capped at an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60, 2 ** (attempt - 1)) * 60_000;
}

/**
 * Spaces sends to at most `perSecond`, however many workers ask at once: callers take turns, and
 * each waits until a full gap has passed since the previous one actually went. Spacing by actual
 * release times (not by planned slots) keeps timer jitter from squeezing two sends together. The
 * extra millisecond covers the clock's whole-millisecond resolution: never above the cap.
 */
export function createPacer(perSecond: number, clock: Clock, sleep: (ms: number) => Promise<void>) {
  const gap = perSecond > 0 ? 1000 / perSecond : 0;
  let last = Number.NEGATIVE_INFINITY;
  let turn: Promise<void> = Promise.resolve();
  return (): Promise<void> => {
    if (gap === 0) return Promise.resolve();
    turn = turn.then(async () => {
      for (let wait = last + gap + 1 - clock.now().getTime(); wait > 0; wait = last + gap + 1 - clock.now().getTime()) {
        await sleep(Math.ceil(wait));
      }
      last = clock.now().getTime();
    });
    return turn;
  };
}

/**
 * Finds due reminders, claims each (a conditional write that only one sweeper can win), sends it
 * and records the outcome. A sweeper that dies mid-send leaves a claim that expires after
 * `claimMs`, and the next sweep takes the reminder over.
 */
export async function sendDueReminders(deps: SweepDeps, opts: SweepOptions): Promise<SweepResult> {
  const { now } = opts;
  const claimMs = opts.claimMs ?? 5 * 60_000;
  const maxAttempts = opts.maxAttempts ?? 5;
  const started = deps.wallClock.now().getTime();
  const outOfTime = () => opts.budgetMs !== undefined && deps.wallClock.now().getTime() - started > opts.budgetMs;
  const pace = createPacer(opts.ratePerSecond ?? 0, deps.wallClock, deps.sleep);
  const slotMs = opts.slotMs ?? SLOT_MS;
  const result: SweepResult = { sent: [], retrying: 0, deferred: 0, expired: 0, failed: 0, cancelled: 0, skipped: 0, oldestDueAgeSeconds: 0, lateness: null };

  /** Moves a reminder to the first moment from `earliest` inside sending hours and its window, or expires it. */
  const moveOrExpire = async (ref: DueReminder, earliest: Date) => {
    const until = ref.validUntil ? new Date(ref.validUntil) : new Date(8.64e15);
    const at = placeInWindow(earliest, until, ref.tz);
    if (at) {
      await deps.store.defer(ref, at);
      result.deferred++;
    } else {
      await deps.store.expire(ref, now);
      result.expired++;
    }
  };

  /** A result that could not be written (storage down) is retried for a while before giving up. */
  const record = async (what: string, write: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        const name = (err as { name?: string }).name;
        // The claim was lost (it expired and another sweeper took over): theirs stands.
        if (name === 'ConditionalCheckFailedException' || attempt >= 7) throw err;
        deps.log.warn('could not record a send outcome; retrying', { what, attempt, error: String(err) });
        await deps.sleep(250 * 2 ** (attempt - 1));
      }
    }
  };

  const handle = async (ref: DueReminder) => {
    // Plans are made inside sending hours and windows; this catches a late sweep (an outage, a
    // backlog) or a retry that drifted out: moved within its window, or expired.
    const until = ref.validUntil ? new Date(ref.validUntil) : new Date(8.64e15);
    if (placeInWindow(now, until, ref.tz)?.getTime() !== now.getTime()) {
      await moveOrExpire(ref, now);
      return;
    }
    // Worded before the claim (wording is pure): a reminder that cannot be sent takes no slot from
    // the person's next message, only a claim to record why.
    let words: Worded | SendError;
    try {
      words = wordsOf(ref, deps.wording);
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      words = err;
    }
    const claim = await deps.store.claimReminder(ref, now, new Date(now.getTime() + claimMs), deps.newId(), words instanceof SendError ? undefined : slotMs);
    if (claim.outcome === 'taken') {
      result.skipped++;
      return;
    }
    if (claim.outcome === 'busy') {
      // Another scheduled message went to this person within the hour: this one waits its turn.
      await moveOrExpire(ref, claim.until);
      return;
    }
    if (claim.outcome === 'obsolete') {
      await deps.store.cancelReminder(ref, now, 'user opted out or logged a newer leg day');
      result.cancelled++;
      return;
    }
    let providerId: string;
    let message: SentWords;
    try {
      // Retrying cannot give it words: recorded as failed, with the reason.
      if (words instanceof SendError) throw words;
      if (words.channel === 'email') {
        // SES keeps no log to look a lost send up in: an uncertain email is sent again (docs/trust.md).
        providerId = (await sendReminderEmail(deps.email, ref.to, words.content, { userId: ref.userId, channel: 'email', series: ref.series, stepId: ref.stepId })).id;
        message = { channel: 'email', body: words.content };
      } else {
        message = { channel: 'sms', body: words.text };
        // An earlier try timed out, or its sweeper died holding the claim: Twilio may have it, so
        // look first, for the words as they are sent now.
        const which = { userId: ref.userId, channel: ref.channel, series: ref.series, stepId: ref.stepId };
        const earlier = ref.uncertain ? await findEarlierSend(deps, ref, words.text, which, now) : null;
        if (!earlier) await pace();
        providerId = earlier?.id ?? (await deps.sender.send({ to: ref.to, body: words.text, ref: which })).id;
      }
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      const reason = `${err.kind} ${err.code}: ${err.message}`;
      deps.log.warn('reminder send failed', { to: ref.to, channel: ref.channel, stepId: ref.stepId, kind: err.kind, code: err.code, attempt: claim.attempts });
      if (err.kind === 'transient' && claim.attempts < maxAttempts) {
        const retryAt = new Date(now.getTime() + retryDelayMs(claim.attempts));
        const uncertain = ref.uncertain || err.mayHaveSent;
        await record('retry', () => deps.store.retryLater(ref, claim.token, retryAt, reason, uncertain));
        result.retrying++;
        return;
      }
      // An earlier try that timed out may have been delivered: say so rather than claim it was not.
      const uncertain = ref.uncertain || err.mayHaveSent;
      const why = uncertain ? `${reason} (an earlier try may have been delivered)` : reason;
      await record('failed', () => deps.store.markFailed(ref, claim.token, now, why, uncertain));
      result.failed++;
      // Email refusals come back as SES bounce and complaint events instead.
      if (ref.channel === 'sms' && (err.kind === 'opted-out' || err.kind === 'unreachable')) {
        await recordCarrierRefusal(deps, ref.to, err as SendError & { kind: typeof err.kind }, now);
      }
      return;
    }
    const lateSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(ref.dueAt)) / 1000));
    await record('sent', () => deps.store.markSent(ref, claim.token, now, providerId, lateSeconds));
    result.sent.push({ ...message, to: ref.to, series: ref.series, stepId: ref.stepId, providerId, sentAt: now.toISOString(), dueAt: ref.dueAt, lateSeconds });
  };

  // Batch after batch while the sweep has time: a backlog bigger than one batch is worked through
  // at the sender's rate, and what the sweep cannot finish in its time is left to the next one.
  const batchSize = opts.batchSize ?? 500;
  const progress = () => result.sent.length + result.retrying + result.deferred + result.expired + result.failed + result.cancelled + result.skipped;
  for (let batch = 0; batch < (opts.maxBatches ?? 50) && !outOfTime(); batch++) {
    const found = await deps.store.findDueReminders(now, batchSize);
    if (batch === 0 && found.length) result.oldestDueAgeSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(found[0]!.dueKey)) / 1000));
    if (found.length === 0) break;
    const before = progress();
    // One scheduled message per person per channel per sweep (the slot enforces it across sweeps):
    // the most relevant one that may go now goes; the others wait their turn inside their windows.
    const due: DueReminder[] = [];
    const waiting: DueReminder[] = [];
    const groups = new Map<string, DueReminder[]>();
    for (const ref of found) {
      const key = `${ref.userId}#${ref.channel}`;
      groups.set(key, [...(groups.get(key) ?? []), ref]);
    }
    for (const group of groups.values()) {
      const sendable = group.filter((r) => placeInWindow(now, r.validUntil ? new Date(r.validUntil) : new Date(8.64e15), r.tz)?.getTime() === now.getTime());
      const first = slotMs > 0 ? [...sendable].sort(byRelevance)[0] : undefined;
      for (const r of group) (first && r !== first && sendable.includes(r) ? waiting : due).push(r);
    }

    for (const ref of waiting) {
      try {
        await moveOrExpire(ref, new Date(now.getTime() + slotMs));
      } catch (err) {
        deps.log.error('reminder deferral failed', { stepId: ref.stepId, error: String(err) });
      }
    }

    let next = 0;
    const worker = async () => {
      while (next < due.length && !outOfTime()) {
        const ref = due[next++]!;
        try {
          await handle(ref);
        } catch (err) {
          // Left as it was (pending, or claimed until its claim expires): a later sweep retries it.
          deps.log.error('reminder handling failed', { stepId: ref.stepId, error: String(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, due.length) }, worker));

    // A short batch was the last; one where nothing moved (storage failing) is not retried in a loop.
    if (found.length < batchSize || progress() === before) break;
  }

  deps.metrics.count('RemindersSent', result.sent.length);
  deps.metrics.count('EmailRemindersSent', result.sent.filter((s) => s.channel === 'email').length);
  deps.metrics.count('RemindersFailed', result.failed);
  deps.metrics.count('RemindersRetrying', result.retrying);
  deps.metrics.count('RemindersDeferred', result.deferred);
  deps.metrics.count('RemindersExpired', result.expired);
  if (result.sent.length) {
    const late = result.sent.map((s) => s.lateSeconds);
    result.lateness = { p50: percentile(late, 50), p99: percentile(late, 99) };
    deps.metrics.gauge('ReminderLatenessP50', result.lateness.p50, 'Seconds');
    deps.metrics.gauge('ReminderLatenessP99', result.lateness.p99, 'Seconds');
  }
  deps.metrics.gauge('OldestDueReminderAge', result.oldestDueAgeSeconds, 'Seconds');
  return result;
}
