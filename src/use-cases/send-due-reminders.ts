import { layoutEmail, type EmailContent } from '../content/email.ts';
import { PLAN } from '../content/index.ts';
import { isWithinSendingHours, nextSendingTime } from '../core/local-time.ts';
import { SendError, type Clock, type DueReminder, type EmailDelivery, type Log, type Metrics, type SmsSender, type Store } from './ports.ts';
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
}

/** Sends one stored email: its words plus the unsubscribe link, laid out as text and HTML. */
export async function sendStoredEmail(email: EmailDelivery, to: string, body: string): Promise<{ id: string }> {
  let content: EmailContent;
  try {
    content = JSON.parse(body) as EmailContent;
  } catch {
    // Retrying cannot fix a stored email that does not parse: record it as failed, with the reason.
    throw new SendError('rejected', 'InvalidStoredEmail', 'the stored email is not valid JSON');
  }
  const unsubscribeUrl = email.unsubscribeUrl(to);
  return email.sender.send({ to, ...layoutEmail(content, { unsubscribeUrl }), unsubscribeUrl });
}

export interface SweepOptions {
  /** The sweep's "now": the scheduled event's time in Lambda, the dev clock locally. */
  now: Date;
  /** Most reminders handled in one sweep; the rest wait for the next minute. */
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
}

export interface SentReminder {
  to: string;
  channel: 'sms' | 'email';
  stepId: string;
  body: string;
  providerId: string;
}

export interface SweepResult {
  sent: SentReminder[];
  retrying: number;
  /** Due, but outside the person's sending hours: moved to the next opening. */
  deferred: number;
  failed: number;
  cancelled: number;
  skipped: number;
  /** Seconds the oldest due reminder had waited when the sweep found it (0 when none). */
  oldestDueAgeSeconds: number;
}

/** How far back to look for a send that timed out (retries come within the hour). */
const UNCERTAIN_LOOKBACK_MS = 24 * 3_600_000;

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
  const result: SweepResult = { sent: [], retrying: 0, deferred: 0, failed: 0, cancelled: 0, skipped: 0, oldestDueAgeSeconds: 0 };

  const due = await deps.store.findDueReminders(now, opts.batchSize ?? 500);
  if (due.length) result.oldestDueAgeSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(due[0]!.dueKey)) / 1000));

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
    // Plans are made inside sending hours; this catches a late sweep or a retry that drifted out.
    if (!isWithinSendingHours(now, ref.tz, PLAN.sendingHours)) {
      await deps.store.defer(ref, nextSendingTime(now, ref.tz, PLAN.sendingHours));
      result.deferred++;
      return;
    }
    const claim = await deps.store.claimReminder(ref, now, new Date(now.getTime() + claimMs), deps.newId());
    if (claim.outcome === 'taken') {
      result.skipped++;
      return;
    }
    if (claim.outcome === 'obsolete') {
      await deps.store.cancelReminder(ref, now, 'user opted out or logged a newer leg day');
      result.cancelled++;
      return;
    }
    let providerId: string;
    try {
      if (ref.channel === 'email') {
        // SES keeps no log to look a lost send up in: an uncertain email is sent again (docs/trust.md).
        providerId = (await sendStoredEmail(deps.email, ref.to, ref.body)).id;
      } else {
        // An earlier try timed out, or its sweeper died holding the claim: Twilio may have it, so look first.
        const earlier = ref.uncertain
          ? await deps.sender.findSent({ to: ref.to, body: ref.body, since: new Date(now.getTime() - UNCERTAIN_LOOKBACK_MS) })
          : null;
        if (!earlier) await pace();
        providerId = earlier?.id ?? (await deps.sender.send({ to: ref.to, body: ref.body })).id;
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
    await record('sent', () => deps.store.markSent(ref, claim.token, now, providerId));
    result.sent.push({ to: ref.to, channel: ref.channel, stepId: ref.stepId, body: ref.body, providerId });
  };

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

  deps.metrics.count('RemindersSent', result.sent.length);
  deps.metrics.count('EmailRemindersSent', result.sent.filter((s) => s.channel === 'email').length);
  deps.metrics.count('RemindersFailed', result.failed);
  deps.metrics.count('RemindersRetrying', result.retrying);
  deps.metrics.count('RemindersDeferred', result.deferred);
  deps.metrics.gauge('OldestDueReminderAge', result.oldestDueAgeSeconds, 'Seconds');
  return result;
}
