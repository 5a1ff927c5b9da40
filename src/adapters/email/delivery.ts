import type { EmailDelivery, EmailSender } from '../../use-cases/ports.ts';
import type { LinkSigner } from '../link-tokens.ts';

/** Confirmation links work for a week; after that, signing up again sends a fresh one. */
export const CONFIRM_LINK_DAYS = 7;

/** Ties the sender to the app's public URL and the link signer. */
export function createEmailDelivery(opts: { sender: EmailSender; signer: LinkSigner; publicUrl: string }): EmailDelivery {
  const base = opts.publicUrl.replace(/\/+$/, '');
  return {
    sender: opts.sender,
    unsubscribeUrl: (address) => `${base}/email/unsubscribe?t=${opts.signer.sign('unsubscribe', address)}`,
    confirmUrl: (address, now) =>
      `${base}/email/confirm?t=${opts.signer.sign('confirm', address, new Date(now.getTime() + CONFIRM_LINK_DAYS * 86_400_000))}`,
    signUpUrl: `${base}/`,
  };
}
