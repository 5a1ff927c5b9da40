/**
 * Single-table key builders. Every item lives under its user's partition, so one number's whole
 * story is one Query; the sparse `due` index holds only reminders that may still be sent.
 * See docs/table-design.md.
 */

/** Due reminders are spread over this many index partitions so no single one runs hot at scale. */
export const DUE_SHARDS = 8;
export const DUE_INDEX = 'due';

export const userPk = (userId: string) => `USER#${userId}`;
export const PROFILE_SK = 'PROFILE';
export const checkinSk = (at: string, id: string) => `CHECKIN#${at}#${id}`;
/** Pain reports sort under the check-in they follow, so one Query reads a leg day with its pain. */
export const painSk = (checkin: { at: string; id: string } | null, at: string) =>
  checkin ? `${checkinSk(checkin.at, checkin.id)}#PAIN#${at}` : `PAIN#${at}`;
/** A warning sign read in a message, filed beside the pain reports of the leg day it followed. */
export const redFlagSk = (checkin: { at: string; id: string } | null, at: string) =>
  checkin ? `${checkinSk(checkin.at, checkin.id)}#REDFLAG#${at}` : `REDFLAG#${at}`;
export const reminderPrefix = (series: string) => `REMINDER#${series}#`;
/** Texts keep the original key; an email's step carries the channel, so a step exists once per channel. */
export const reminderSk = (series: string, stepId: string, channel: 'sms' | 'email' = 'sms') =>
  `${reminderPrefix(series)}${channel === 'email' ? 'email#' : ''}${stepId}`;
/** Which person owns an email address: inbound mail, bounces and unsubscribes start here. */
export const emailPk = (address: string) => `EMAIL#${address}`;
export const EMAIL_SK = 'EMAIL';
/** The user's version makes two consent changes in the same millisecond distinct. */
export const consentSk = (at: string, action: string, version: number) => `CONSENT#${at}#${version}#${action}`;
/** A person's scheduled-message slot on one channel: who holds it and until when (the no-burst rule). */
export const slotSk = (channel: 'sms' | 'email') => `SLOT#${channel}`;
export const inboundPk = (messageSid: string) => `INBOUND#${messageSid}`;
export const INBOUND_SK = 'INBOUND';
/** The number's request to be tied to an email address (core/link-email.ts), in its partition. */
export const LINK_SK = 'LINK';

/** Rate-limit counters are named in the core (core/limits.ts rateKey); stored under that key. */
export { rateKey } from '../../core/limits.ts';
export const COUNT_SK = 'COUNT';

/** The user id a USER# partition key names. */
export function userIdOfPk(pk: string): string | null {
  return pk.startsWith('USER#') ? pk.slice('USER#'.length) : null;
}
/** The owner record's address from its partition key. */
export function addressOfEmailPk(pk: string): string | null {
  return pk.startsWith('EMAIL#') ? pk.slice('EMAIL#'.length) : null;
}

/**
 * FNV-1a: cheap and stable, so the same reminder always maps to the same shard of the DUE_SHARDS a
 * sweep queries. An email's step is hashed as its key names it (`email#<stepId>`), like reminderSk.
 */
export function dueShard(userId: string, series: string, stepId: string, channel: 'sms' | 'email' = 'sms'): string {
  let h = 0x811c9dc5;
  for (const ch of `${userId}|${series}|${channel === 'email' ? 'email#' : ''}${stepId}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return duePk(h % DUE_SHARDS);
}

/** The due index partition for one shard. */
export const duePk = (shard: number) => `DUE#${shard}`;

export function parseReminderSk(sk: string): { series: string; stepId: string; channel: 'sms' | 'email' } | null {
  const m = /^REMINDER#([^#]+)#(email#)?([^#]+)$/.exec(sk);
  return m ? { series: m[1]!, stepId: m[3]!, channel: m[2] ? 'email' : 'sms' } : null;
}
