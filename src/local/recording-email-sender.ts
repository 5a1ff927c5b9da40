import type { AdjustableClock } from '../adapters/clock.ts';
import type { EmailSender } from '../use-cases/ports.ts';
import type { Outbox } from './outbox.ts';

/**
 * Wraps the real SES sender so the local outbox lists emails next to texts (GET /dev/outbox).
 * The email still goes through the SES client to the local SES; this only keeps a note.
 */
export function recordingEmailSender(inner: EmailSender, outbox: Outbox, clock: AdjustableClock): EmailSender {
  return {
    async send(message) {
      const res = await inner.send(message);
      outbox.record({
        to: message.to,
        channel: 'email',
        subject: message.subject,
        body: message.text,
        sentAt: clock.now().toISOString(),
        kind: 'email',
        ...(message.unsubscribeUrl ? { unsubscribeUrl: message.unsubscribeUrl } : {}),
      });
      return res;
    },
  };
}
