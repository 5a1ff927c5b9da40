import { noChange } from '../core/decision.ts';
import { emailStatusChange } from '../core/channel-status.ts';
import type { EmailContact } from '../core/user.ts';
import { applyDecision } from './apply-decision.ts';
import type { Log, Store } from './ports.ts';

export type EmailStatusResult = 'changed' | 'unchanged' | 'unknown-address';

/**
 * An address's standing changes from outside a message: its confirmation link, its one-click
 * unsubscribe, or an SES bounce or complaint. Pending emails to it are cancelled in the same
 * write, and the sweeper's claim re-checks the status, so nothing more goes out.
 */
export async function changeEmailStatus(
  deps: { store: Store; log: Log; now: () => Date },
  change: { address: string; to: EmailContact['status']; via: string; detail: string },
): Promise<EmailStatusResult> {
  const owner = await deps.store.emailOwner(change.address);
  if (!owner) return 'unknown-address';
  const applied = await applyDecision<boolean>(
    deps,
    owner,
    async (user, now) => {
      const d = emailStatusChange(user, { ...change, now });
      return { decision: d ?? noChange, note: d !== null };
    },
    {
      now: deps.now,
      // A confirmed address's owner record is written again without the expiry of a pending one.
      claimEmail: (d) => (d.user?.email?.status === 'confirmed' ? d.user.email.address : null),
    },
  );
  const changed = applied.outcome === 'ok' && applied.note === true;
  if (changed) deps.log.info('email status changed', { email: change.address, to: change.to, via: change.via });
  return changed ? 'changed' : 'unchanged';
}
