import { carrierRefusal } from '../core/channel-status.ts';
import { applyDecision } from './apply-decision.ts';
import type { Log, SendError, Store } from './ports.ts';

/**
 * The carrier refused a text: 21610 opts the number out exactly as an inbound STOP would
 * (pending reminders cancelled in the same write, the consent record kept); an unreachable
 * number stops all sending to it.
 */
export async function recordCarrierRefusal(
  deps: { store: Store; log: Log; defaultTimezone: string },
  phone: string,
  error: SendError & { kind: 'opted-out' | 'unreachable' },
  now: Date,
): Promise<void> {
  await applyDecision(
    deps,
    phone,
    async (user) =>
      carrierRefusal(user, { phone, kind: error.kind, code: error.code, message: error.message, now, defaultTimezone: deps.defaultTimezone }),
    { now: () => now },
  );
  deps.log.warn('carrier refused a number; sending to it stopped', { to: phone, code: error.code, kind: error.kind });
}
