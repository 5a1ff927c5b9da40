import { PLAN } from '../content/index.ts';
import { isWithinSendingHours, nextSendingTime } from '../core/local-time.ts';
import { SendError, type DueReminder, type Log, type SmsSender, type Store } from './ports.ts';

export interface SweepDeps {
  store: Store;
  sender: SmsSender;
  log: Log;
  newId: () => string;
}

export interface SweepOptions {
  /** The sweep's "now": the scheduled event's time in Lambda, the dev clock locally. */
  now: Date;
  /** Most reminders handled in one sweep; the rest wait for the next minute. */
  batchSize?: number;
  /** Sends in flight at once. */
  concurrency?: number;
  /** How long a claim holds before another sweeper may take the reminder over. */
  claimMs?: number;
  /** Sends tried per reminder before it is marked failed. */
  maxAttempts?: number;
}

export interface SentReminder {
  to: string;
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
}

/** Backoff before retry N (1-based): 1, 2, 4, 8 ... minutes, capped at an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60, 2 ** (attempt - 1)) * 60_000;
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
  const result: SweepResult = { sent: [], retrying: 0, deferred: 0, failed: 0, cancelled: 0, skipped: 0 };
  const due = await deps.store.findDueReminders(now, opts.batchSize ?? 500);

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
    const body = ref.body;
    try {
      const { id } = await deps.sender.send({ to: ref.phone, body });
      await deps.store.markSent(ref, claim.token, now, id);
      result.sent.push({ to: ref.phone, stepId: ref.stepId, body, providerId: id });
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      const reason = `${err.kind} ${err.code}: ${err.message}`;
      if (err.kind === 'transient' && claim.attempts < maxAttempts) {
        await deps.store.retryLater(ref, claim.token, new Date(now.getTime() + retryDelayMs(claim.attempts)), reason);
        result.retrying++;
      } else {
        await deps.store.markFailed(ref, claim.token, now, reason);
        result.failed++;
      }
      deps.log.warn('reminder send failed', { stepId: ref.stepId, kind: err.kind, code: err.code, attempt: claim.attempts });
    }
  };

  await runPool(due, opts.concurrency ?? 8, handle, deps.log);
  return result;
}

/** Runs `fn` over `items` with at most `limit` at once; one item's failure does not stop the rest. */
async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, log: Log): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        // Left as it was (pending, or claimed until its claim expires): the next sweep retries it.
        log.error('reminder handling failed', { error: String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
