import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface OutboxMessage {
  to: string;
  channel: 'sms' | 'email';
  /** Emails only. */
  subject?: string;
  /** The text, or an email's plain-text part. */
  body: string;
  /** ISO time on the service's clock. */
  sentAt: string;
  /** What sent it: a reply to a text, or the sweeper (emails: every email the service sent). */
  kind: 'reply' | 'scheduled' | 'email';
  /** Emails only, kept out of /dev/outbox: the raw headers that matter (List-Unsubscribe) for tests. */
  unsubscribeUrl?: string;
  /** Scheduled texts: the provider's id and the reminder it was, so /dev/outbox can show its delivery. */
  providerId?: string;
  series?: string;
  stepId?: string;
}

export interface Outbox {
  record(message: OutboxMessage): void;
  list(to?: string): OutboxMessage[];
}

/**
 * Every message the local service sent, oldest first. Kept as JSON lines under DATA_DIR when a
 * file is given, so a restart of `npm start` keeps the history along with the table.
 */
export function createOutbox(file?: string): Outbox {
  const messages: OutboxMessage[] =
    file && existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as OutboxMessage)
      : [];
  return {
    record(message) {
      messages.push(message);
      if (file) appendFileSync(file, JSON.stringify(message) + '\n');
    },
    list(to) {
      const all = to ? messages.filter((m) => m.to === to) : messages;
      return [...all].sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
    },
  };
}
