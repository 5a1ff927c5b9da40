import type { Unit } from '../../core/lifts.ts';
import type { CheckinSummary, EmailContact, PainTrack, UserState } from '../../core/user.ts';
import type { Reply } from '../../core/channel.ts';
import type { LinkRequest } from '../../core/link-email.ts';
import type { DueMessage, ReminderStatus } from '../../use-cases/ports.ts';
import { parseReminderSk, userIdOfPk } from './keys.ts';
import { readReminderMessage, readReply } from './stored-reply.ts';

/**
 * Items as read from the table, checked before use: a broken item fails here, naming the item and
 * the field, instead of travelling on as a wrong value. Hand-written checks (no schema library in
 * the Lambda bundles); each item type has its parse function. The writers are in the repositories.
 */

export class BrokenItemError extends Error {
  override name = 'BrokenItemError';
  constructor(kind: string, key: unknown, problem: string) {
    super(`broken ${kind} item ${describeKey(key)}: ${problem}`);
  }
}

/** Keys only (a PK may be a phone number or an address: masked to its last characters). */
function describeKey(key: unknown): string {
  if (!isObject(key)) return '(no key)';
  const { PK, SK } = key;
  const mask = (v: unknown) => (typeof v === 'string' ? v.replace(/[^#]{4,}$/, (tail) => '…' + tail.slice(-2)) : String(v));
  return `${mask(PK)} / ${String(SK)}`;
}

type Item = Record<string, unknown>;

/** Field checks for one item: each names the field that is wrong. */
function reader(kind: string, item: Item) {
  const fail = (field: string, want: string): never => {
    throw new BrokenItemError(kind, item, `${field} is not ${want} (${typeof item[field]})`);
  };
  const str = (field: string): string => {
    const v = item[field];
    return typeof v === 'string' ? v : fail(field, 'a string');
  };
  /** Absent or null (the document client writes a null as NULL) reads as undefined. */
  const optStr = (field: string): string | undefined => (item[field] === undefined || item[field] === null ? undefined : str(field));
  const num = (field: string): number => {
    const v = item[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : fail(field, 'a number');
  };
  const optNum = (field: string): number | undefined => (item[field] === undefined ? undefined : num(field));
  const bool = (field: string): boolean | undefined => {
    const v = item[field];
    return v === undefined ? undefined : typeof v === 'boolean' ? v : fail(field, 'a boolean');
  };
  const oneOf = <T extends string>(field: string, values: readonly T[]): T => {
    const v = str(field);
    return isOneOf(values, v) ? v : fail(field, `one of ${values.join(', ')}`);
  };
  const type = (want: string) => {
    if (item.type !== want) fail('type', `"${want}"`);
  };
  return { fail, str, optStr, num, optNum, bool, oneOf, type };
}

const isOneOf = <T extends string>(values: readonly T[], v: unknown): v is T => values.some((x) => x === v);
const isObject = (v: unknown): v is Item => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

const USER_STATUSES = ['active', 'opted_out', 'unreachable', 'pending'] as const satisfies readonly UserState['status'][];
const EMAIL_STATUSES = ['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained'] as const satisfies readonly EmailContact['status'][];
const UNITS = ['kg', 'lb'] as const satisfies readonly Unit[];
const REMINDER_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled', 'expired'] as const satisfies readonly ReminderStatus[];

function parseEmailContact(v: unknown, r: ReturnType<typeof reader>): EmailContact | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v) || typeof v.address !== 'string' || !isOneOf(EMAIL_STATUSES, v.status)) return r.fail('email', 'an address with a known status');
  return { address: v.address, status: v.status };
}

function parseCheckinSummary(v: unknown, r: ReturnType<typeof reader>): CheckinSummary {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.at !== 'string' || !Array.isArray(v.lifts) || !isNumberArray(v.pain)) {
    return r.fail('recent', 'a list of leg days (id, at, lifts, pain)');
  }
  const lifts = v.lifts.map((l) => {
    if (!isObject(l) || typeof l.lift !== 'string' || typeof l.weight !== 'number' || !isOneOf(UNITS, l.unit)) return r.fail('recent', 'leg days with well-formed lifts');
    return { lift: l.lift, weight: l.weight, unit: l.unit };
  });
  const deload = v.deload === null || typeof v.deload === 'string' ? { deload: v.deload } : {};
  return { id: v.id, at: v.at, lifts, pain: v.pain, ...deload };
}

function parsePainTrack(v: unknown, r: ReturnType<typeof reader>): PainTrack | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.startedAt !== 'string' || !isNumberArray(v.scores)) return r.fail('painTrack', 'a pain track (id, startedAt, scores)');
  return { id: v.id, startedAt: v.startedAt, scores: v.scores };
}

function parsePause(v: unknown, r: ReturnType<typeof reader>): UserState['pause'] {
  if (v === undefined || v === null) return null;
  if (!isObject(v) || typeof v.from !== 'string' || typeof v.until !== 'string') return r.fail('pause', 'a pause (from, until)');
  return { from: v.from, until: v.until };
}

/** A profile (SK PROFILE). */
export function parseUser(item: Item): UserState {
  const r = reader('user', item);
  r.type('user');
  const phone = r.optStr('phone') ?? null;
  const recent = Array.isArray(item.recent) ? item.recent : r.fail('recent', 'a list');
  return {
    id: r.str('id'),
    phone,
    status: r.oneOf('status', USER_STATUSES),
    email: parseEmailContact(item.email, r),
    enrolledAt: r.str('enrolledAt'),
    timezone: r.str('timezone'),
    recent: recent.map((c) => parseCheckinSummary(c, r)),
    painTrack: parsePainTrack(item.painTrack, r),
    pause: parsePause(item.pause, r),
    version: r.num('version'),
  };
}

/** An address's owner record (PK EMAIL#address, SK EMAIL): the owner's user id. */
export function parseOwner(item: Item): { userId: string; at: string } {
  const r = reader('email owner', item);
  r.type('email');
  return { userId: r.str('userId'), at: r.str('at') };
}

/** A number's link request (SK LINK). Linked (closed) requests read as null: none is open. */
export function parseLinkRequest(item: Item): LinkRequest | null {
  const r = reader('link request', item);
  r.type('link');
  const status = r.oneOf('status', ['requested', 'asked', 'linked'] as const);
  const phone = userIdOfPk(r.str('PK')) ?? r.fail('PK', 'a USER# key');
  const request = { phone, address: r.str('address'), at: r.str('at') };
  return status === 'linked' ? null : { ...request, status };
}

/** An inbound message's dedupe record: the reply it got (null for none) and whether that went out. */
export function parseInbound(item: Item): { reply: Reply | null; at: string; replySentAt: string | null } {
  const r = reader('inbound', item);
  r.type('inbound');
  const pk = r.str('PK');
  const messageSid = pk.startsWith('INBOUND#') ? pk.slice('INBOUND#'.length) : r.fail('PK', 'an INBOUND# key');
  const reply = item.reply === null || item.reply === undefined ? null : (readReply(item.reply, messageSid) ?? r.fail('reply', 'a text or an email reply'));
  return { reply, at: r.str('at'), replySentAt: r.optStr('replySentAt') ?? null };
}

/**
 * What a reminder says (stored-reply.ts: what its step says, or the words of one planned before
 * wording moved to send time); an email's words that cannot be read are kept as null, which the
 * sweeper records as failed (InvalidStoredEmail) instead of sending.
 */
function messageOf(r: ReturnType<typeof reader>, channel: 'sms' | 'email', raw: unknown): DueMessage {
  return readReminderMessage(channel, raw) ?? r.fail('body', 'what a step says, or a text\'s or an email\'s words');
}

/** Which reminder an item's keys name. */
function reminderIdentity(r: ReturnType<typeof reader>) {
  const userId = userIdOfPk(r.str('PK')) ?? r.fail('PK', 'a USER# key');
  const parsed = parseReminderSk(r.str('SK')) ?? r.fail('SK', 'a REMINDER# key');
  return { userId, ...parsed };
}

/** What every reminder item holds, whether read whole or through the due index. */
function reminderFields(r: ReturnType<typeof reader>, item: Item) {
  const id = reminderIdentity(r);
  return {
    ...id,
    message: messageOf(r, id.channel, item.body),
    tz: r.str('tz'),
    dueAt: r.str('dueAt'),
    validUntil: r.optStr('validUntil'),
    attempts: r.num('attempts'),
    uncertain: r.bool('uncertain') ?? false,
  };
}

/** A reminder as stored in its user's partition (every attribute). */
export function parseReminder(item: Item) {
  const r = reader('reminder', item);
  r.type('reminder');
  const status = r.oneOf('status', REMINDER_STATUSES);
  const dueKey = r.optStr('gsi1sk');
  // Only reminders that may still be sent are in the due index.
  if ((status === 'pending' || status === 'sending') !== (dueKey !== undefined)) r.fail('gsi1sk', status === 'pending' || status === 'sending' ? 'set on a live reminder' : 'absent from a finished reminder');
  return {
    ...reminderFields(r, item),
    status,
    to: r.optStr('to'),
    dueKey,
    sentAt: r.optStr('sentAt'),
    providerId: r.optStr('providerId'),
    firstTriedAt: r.optStr('firstTriedAt'),
    delivery: r.optStr('delivery'),
    deliverySid: r.optStr('deliverySid'),
    deliveryError: r.optStr('deliveryError'),
  };
}

/** Just what cancelling or moving a pending reminder needs (its words are not read). */
export function parsePendingRef(item: Item) {
  const r = reader('reminder', item);
  const id = reminderIdentity(r);
  return { ...id, attempts: r.num('attempts'), dueAt: r.str('dueAt'), dueKey: r.optStr('gsi1sk') };
}

/** A reminder as the due index projects it (docs/table-design.md: DUE_INDEX_PROJECTION). */
export function parseDueEntry(item: Item) {
  const r = reader('due reminder', item);
  return {
    ...reminderFields(r, item),
    status: r.oneOf('status', ['pending', 'sending'] as const),
    to: r.str('to'),
    dueKey: r.str('gsi1sk'),
  };
}

/** A person's scheduled-message slot on one channel (SK SLOT#channel). */
export function parseSlot(item: Item): { holder: string; until: string } {
  const r = reader('slot', item);
  r.type('slot');
  return { holder: r.str('holder'), until: r.str('until') };
}

/** A warning sign read in a message (SK …REDFLAG#at), as the operator reads it back. */
export function parseRedFlag(item: Item) {
  const r = reader('red flag', item);
  r.type('red-flag');
  const signs = isStringArray(item.signs) ? item.signs : r.fail('signs', 'a list of strings');
  return {
    at: r.str('at'),
    tier: r.oneOf('tier', ['soon', 'emergency'] as const),
    signs,
    text: r.str('text'),
    checkinId: r.optStr('checkinId') ?? null,
    checkinAt: r.optStr('checkinAt') ?? null,
  };
}

/** The due index's sort key alone (a projection of a live reminder). */
export function parseDueKey(item: Item): string {
  return reader('due reminder', item).str('gsi1sk');
}

/** What sendRecord reads of a reminder (a projection). */
export function parseSendRecord(item: Item) {
  const r = reader('reminder', item);
  return {
    providerId: r.optStr('providerId'),
    deliverySid: r.optStr('deliverySid'),
    delivery: r.optStr('delivery'),
    deliveryError: r.optStr('deliveryError'),
    firstTriedAt: r.optStr('firstTriedAt'),
  };
}
