import type { Decision } from '../core/decision.ts';
import type { UserState } from '../core/user.ts';
import type { InboundRecord, Log, PendingRef, RateLimit, Store } from './ports.ts';

/** Racing writes for one number are rare; each round one of them wins, so a few tries settle it. */
const MAX_TRIES = 8;

/** Thrown when the state would not settle; the webhook answers 5xx so Twilio retries. */
export class ConcurrentUpdateError extends Error {
  override name = 'ConcurrentUpdateError';
}

export type Applied<N = undefined> =
  /** Written: the decision, the user as it was read (null for someone new), the dedupe record with its reply, and what the decider noted. */
  | { outcome: 'ok'; decision: Decision; before: UserState | null; inbound: InboundRecord | null; note: N }
  | { outcome: 'duplicate' }
  | { outcome: 'limited'; limit: string };

/** A decision with something the decider found out on the way (e.g. sign-up's outcome), handed back with the result. */
export interface Noted<N> {
  decision: Decision;
  note: N;
}

/**
 * Reads a number's state, decides, and writes the decision (with the dedupe record and any rate
 * counters) as one transaction; on a lost race, reads and decides again. What the decider notes
 * travels with the decision it belongs to, not through variables around the call.
 */
export async function applyDecision<N = undefined>(
  deps: { store: Store; log: Log },
  userId: string,
  decide: (user: UserState | null, now: Date, load: (series: readonly string[]) => Promise<PendingRef[]>) => Promise<Decision | Noted<N>>,
  opts: {
    now: () => Date;
    /** The dedupe record (with the worded reply) for the decision and the user as read. */
    inbound?: (d: Decision, user: UserState | null) => InboundRecord;
    limits?: (d: Decision, isNew: boolean, now: Date, inbound: InboundRecord | null, note: N | undefined) => RateLimit[];
    /** The email address the decision gives the user, recorded as theirs in the same write. */
    claimEmail?: (d: Decision) => string | null;
  },
): Promise<Applied<N | undefined>> {
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const now = opts.now();
    const user = await deps.store.getUser(userId);
    const loaded = new Map<string, PendingRef[]>();
    const load = async (series: readonly string[]) => {
      const missing = series.filter((s) => !loaded.has(s));
      const found = await Promise.all(missing.map((s) => deps.store.pendingReminders(userId, s)));
      missing.forEach((s, i) => loaded.set(s, found[i]!));
      return series.flatMap((s) => loaded.get(s)!);
    };
    // What the decision sees (STATUS): only reminders still to come; one overdue in a backlog has no time to promise.
    const upcoming = async (series: readonly string[]) => (await load(series)).filter((r) => Date.parse(r.dueAt) > now.getTime());
    const decided = await decide(user, now, upcoming);
    const { decision, note } = 'decision' in decided ? decided : { decision: decided, note: undefined };
    const { reply: _reply, disclose: _disclose, reschedule, cancelSeries, cancelChannel, ...change } = decision;
    const inbound = opts.inbound?.(decision, user) ?? null;
    // Only reminders still pending are cancelled or moved; each write re-checks that.
    const touched = [...new Set([...cancelSeries, ...(cancelChannel?.series ?? []), ...reschedule.map((r) => r.series)])];
    const current = await load(touched);
    const key = (r: { series: string; stepId: string; channel: string }) => `${r.series}#${r.channel}#${r.stepId}`;
    const cancelled = (r: PendingRef) =>
      cancelSeries.includes(r.series) || (cancelChannel?.channel === r.channel && cancelChannel.series.includes(r.series));
    const pendingKeys = new Set(current.map(key));
    const result = await deps.store.commit({
      decision: change,
      expectedVersion: user?.version ?? null,
      cancel: current.filter(cancelled),
      reschedule: reschedule.filter((r) => pendingKeys.has(key(r))),
      inbound,
      limits: opts.limits?.(decision, user === null, now, inbound, note) ?? [],
      claimEmail: opts.claimEmail?.(decision) ?? null,
      now,
    });
    switch (result.outcome) {
      case 'ok':
        return { outcome: 'ok', decision, before: user, inbound, note };
      case 'limited':
        return result;
      case 'duplicate':
        return { outcome: 'duplicate' };
      case 'conflict':
        deps.log.warn('write conflicted; retrying', { attempt });
    }
  }
  throw new ConcurrentUpdateError('state kept changing under the write');
}
