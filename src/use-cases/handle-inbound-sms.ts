import { parseText } from '../core/keywords.ts';
import { liveSeries, respond } from '../core/respond.ts';
import type { Log, PendingRef, Store } from './ports.ts';

export interface InboundSms {
  /** E.164, already validated. */
  from: string;
  body: string;
  /** Twilio's MessageSid, or its idempotency token when present: the dedupe key. */
  messageSid: string;
}

export interface HandleSmsDeps {
  store: Store;
  now: () => Date;
  newId: () => string;
  log: Log;
  /** For numbers whose country spans several zones (DEFAULT_TIMEZONE). */
  defaultTimezone: string;
}

/** Racing webhooks for one number are rare; each round one of them wins, so a few tries settle it. */
const MAX_TRIES = 8;

/** Thrown when the state would not settle; the webhook answers 5xx so Twilio retries. */
export class ConcurrentUpdateError extends Error {
  override name = 'ConcurrentUpdateError';
}

/**
 * A text arrives: read the number's state, decide, write the decision and its dedupe record in
 * one transaction. Returns the reply to send back in the TwiML (null for none).
 */
export async function handleInboundSms(deps: HandleSmsDeps, sms: InboundSms): Promise<string | null> {
  const intent = parseText(sms.body);
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const now = deps.now();
    const user = await deps.store.getUser(sms.from);
    const pendingOf = (series: readonly string[]) =>
      Promise.all(series.map((s) => deps.store.pendingReminders(sms.from, s))).then((r) => r.flat());
    const pending = intent.kind === 'status' ? await pendingOf(liveSeries(user)) : undefined;
    const decision = respond(
      user,
      { phone: sms.from, text: sms.body, now, newId: deps.newId, defaultTimezone: deps.defaultTimezone, pending },
      intent,
    );
    const { reply, reschedule, cancelSeries, ...change } = decision;
    // Only reminders still pending are cancelled or moved; each write re-checks that.
    const touched = [...new Set([...cancelSeries, ...reschedule.map((r) => r.series)])];
    const current: PendingRef[] = touched.length ? (pending ?? (await pendingOf(touched))) : [];
    const key = (r: { series: string; stepId: string }) => `${r.series}#${r.stepId}`;
    const pendingKeys = new Set(current.map(key));
    const result = await deps.store.commit({
      decision: change,
      expectedVersion: user?.version ?? null,
      cancel: current.filter((r) => cancelSeries.includes(r.series)),
      reschedule: reschedule.filter((r) => pendingKeys.has(key(r))),
      inbound: { messageSid: sms.messageSid, reply },
      now,
    });
    if (result === 'ok') return reply;
    if (result === 'duplicate') {
      deps.log.info('duplicate inbound message', { messageSid: sms.messageSid });
      return (await deps.store.inboundReply(sms.messageSid)) ?? null;
    }
    deps.log.warn('inbound write conflicted; retrying', { attempt });
  }
  throw new ConcurrentUpdateError('state kept changing under the webhook');
}
