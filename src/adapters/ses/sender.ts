import type { SESClient } from '@aws-sdk/client-ses';
import { REMINDER_TAG, encodeReminderTag } from '../../core/reminder-tag.ts';
import { SendError, type EmailSender } from '../../use-cases/ports.ts';
import { awsClientOptions } from '../aws-client.ts';
import { buildMime } from './mime.ts';

export interface SesSenderOptions {
  region: string;
  /** The From address, e.g. "legday <coach@legday.example>"; its domain must be verified in SES. */
  from: string;
  /** Where replies go; the inbound receipt rule's address. */
  replyTo?: string;
  /** SES configuration set whose event destination reports bounces and complaints. */
  configurationSet?: string;
  /** Set for the local SES; absent in AWS. */
  endpoint?: string;
  timeoutMs?: number;
  /** The clock for the Date header (the dev clock locally). */
  now: () => Date;
}

/** SES errors that retrying will not fix. */
const REJECTED = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'ConfigurationSetDoesNotExistException', 'AccountSendingPausedException', 'ConfigurationSetSendingPausedException']);

/**
 * Sends email through SES SendRawEmail, which (unlike SendEmail) lets us set List-Unsubscribe. The
 * SES client is loaded on first send, like the Twilio client: the webhook path never needs it.
 */
export function createSesSender(opts: SesSenderOptions): EmailSender {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let client: Promise<{ ses: SESClient; SendRawEmailCommand: typeof import('@aws-sdk/client-ses').SendRawEmailCommand }> | undefined;
  const load = () =>
    (client ??= import('@aws-sdk/client-ses').then(({ SESClient, SendRawEmailCommand }) => ({
      SendRawEmailCommand,
      ses: new SESClient(awsClientOptions({ region: opts.region, timeoutMs, maxAttempts: 2, endpoint: opts.endpoint })),
    })));
  return {
    async send(message) {
      const [raw, { ses, SendRawEmailCommand }] = await Promise.all([
        buildMime({ from: opts.from, replyTo: opts.replyTo, date: opts.now(), ...message }),
        load(),
      ]);
      try {
        const res = await ses.send(
          new SendRawEmailCommand({
            RawMessage: { Data: raw },
            ...(opts.configurationSet ? { ConfigurationSetName: opts.configurationSet } : {}),
            // SES hands message tags back in its events: the reminder an event is about.
            ...(message.ref ? { Tags: [{ Name: REMINDER_TAG, Value: encodeReminderTag(message.ref) }] } : {}),
          }),
        );
        return { id: res.MessageId ?? 'unknown' };
      } catch (err) {
        throw toSendError(err);
      }
    },
  };
}

function toSendError(err: unknown): SendError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  if (REJECTED.has(name)) return new SendError('rejected', name, e.message ?? name);
  if (status !== undefined && status >= 400 && status < 500 && name !== 'Throttling' && name !== 'ThrottlingException') {
    return new SendError('rejected', name, e.message ?? name);
  }
  // Throttling, 5xx, timeouts and dropped connections: SES may or may not have taken it.
  const noAnswer = status === undefined;
  return new SendError('transient', name, e.message ?? name, noAnswer);
}
