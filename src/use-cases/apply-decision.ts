import type { Decision, UserState } from '../core/respond.ts';
import type { InboundRecord, Log, PendingRef, RateLimit, Store } from './ports.ts';

/** Racing writes for one number are rare; each round one of them wins, so a few tries settle it. */
const MAX_TRIES = 8;

/** Thrown when the state would not settle; the webhook answers 5xx so Twilio retries. */
export class ConcurrentUpdateError extends Error {
  override name = 'ConcurrentUpdateError';
}

export type Applied =
  | { outcome: 'ok'; reply: string | null }
  | { outcome: 'duplicate'; reply: string | null }
  | { outcome: 'limited'; limit: string };

/**
 * Reads a number's state, decides, and writes the decision (with the dedupe record and any rate
 * counters) as one transaction; on a lost race, reads and decides again.
 */
export async function applyDecision(
  deps: { store: Store; log: Log },
  phone: string,
  decide: (user: UserState | null, now: Date, load: (series: readonly string[]) => Promise<PendingRef[]>) => Promise<Decision>,
  opts: { now: () => Date; inbound?: (reply: string | null) => InboundRecord; limits?: (d: Decision, isNew: boolean, now: Date) => RateLimit[] },
): Promise<Applied> {
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const now = opts.now();
    const user = await deps.store.getUser(phone);
    const loaded = new Map<string, PendingRef[]>();
    const load = async (series: readonly string[]) => {
      const missing = series.filter((s) => !loaded.has(s));
      const found = await Promise.all(missing.map((s) => deps.store.pendingReminders(phone, s)));
      missing.forEach((s, i) => loaded.set(s, found[i]!));
      return series.flatMap((s) => loaded.get(s)!);
    };
    const decision = await decide(user, now, load);
    const { reply, reschedule, cancelSeries, ...change } = decision;
    // Only reminders still pending are cancelled or moved; each write re-checks that.
    const touched = [...new Set([...cancelSeries, ...reschedule.map((r) => r.series)])];
    const current = await load(touched);
    const key = (r: { series: string; stepId: string }) => `${r.series}#${r.stepId}`;
    const pendingKeys = new Set(current.map(key));
    const result = await deps.store.commit({
      decision: change,
      expectedVersion: user?.version ?? null,
      cancel: current.filter((r) => cancelSeries.includes(r.series)),
      reschedule: reschedule.filter((r) => pendingKeys.has(key(r))),
      inbound: opts.inbound?.(reply) ?? null,
      limits: opts.limits?.(decision, user === null, now) ?? [],
      now,
    });
    switch (result.outcome) {
      case 'ok':
        return { outcome: 'ok', reply };
      case 'limited':
        return result;
      case 'duplicate':
        return { outcome: 'duplicate', reply: null };
      case 'conflict':
        deps.log.warn('write conflicted; retrying', { attempt });
    }
  }
  throw new ConcurrentUpdateError('state kept changing under the write');
}
