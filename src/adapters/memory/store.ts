import type { NewReminder, StepVars } from '../../core/plan.ts';
import type { UserState } from '../../core/user.ts';
import type { Reply } from '../../core/channel.ts';
import type {
  DecisionLog,
  DueMessage,
  InboundRepository,
  LinkRepository,
  ReminderRef,
  ReminderRepository,
  ReminderStatus,
  Store,
  UserRepository,
} from '../../use-cases/ports.ts';
import { dueShard, reminderSk } from '../dynamo/keys.ts';
import { readReminderMessage } from '../dynamo/stored-reply.ts';
import {
  COMMIT_CANCEL_REASON,
  DELIVERY_RANK,
  GAVE_UP,
  consentRecord,
  dueReminder,
  expiredWhenPlanned,
  historyRecords,
  inboundTtl,
  ownerTtl,
  pendingRef,
  profileTtl,
  reminderAddress,
  reminderView,
  sendRecord,
  unprovenTtl,
  type HistoryRecord,
} from '../storage-rules.ts';

/**
 * The repositories in memory, with the DynamoDB ones' semantics (tests/contracts runs the same
 * suite against both): conditional writes, version conflicts, all-or-nothing transactions, rate
 * limits refusing the whole write, claims and the one-per-hour slot, the due index's order,
 * delivery reports that never go backwards. Like DynamoDB Local, nothing expires: TTLs are kept
 * on the records and never acted on. For tests and the local stack (`storage: 'memory'`).
 */

/** What a refused conditional write throws, named as DynamoDB names it (the sweeper tells it from an outage by name). */
export class ConditionFailedError extends Error {
  override name = 'ConditionalCheckFailedException';
}

/** A reminder as stored: the DynamoDB item's fields, with `dueKey` for its due-index key (gsi1sk), absent once out of the index. */
export interface ReminderRecord {
  userId: string;
  series: string;
  stepId: string;
  channel: 'sms' | 'email';
  to: string | undefined;
  /** What its step says, unworded (cloned, never shared): the sweeper words it as it sends. */
  vars: StepVars;
  /**
   * The words of a reminder planned before wording moved to send time, as the table may still
   * hold them (read the same way, stored-reply.ts); nothing here writes them but the contract
   * tests, as an older version left them.
   */
  body?: unknown;
  tz: string;
  dueAt: string;
  validUntil: string;
  status: ReminderStatus;
  attempts: number;
  createdAt: string;
  /** The due index's sort key: set while the reminder may still be sent, as in DynamoDB's sparse index. */
  dueKey?: string;
  shard: string;
  claimToken?: string;
  claimUntil?: string;
  firstTriedAt?: string;
  uncertain?: boolean;
  lastError?: string;
  sentAt?: string;
  providerId?: string;
  lateSeconds?: number;
  delivery?: string;
  deliveryRank?: number;
  deliverySid?: string;
  deliveryAt?: string;
  deliveryError?: string;
  rescheduledAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  expiredAt?: string;
  failedAt?: string;
}

interface State {
  users: Map<string, { user: UserState; ttl?: number }>;
  owners: Map<string, { userId: string; at: string; ttl?: number }>;
  links: Map<string, { address: string; status: 'requested' | 'asked' | 'linked'; at: string; linkedAt?: string; ttl: number }>;
  inbound: Map<string, { reply: Reply | null; at: string; replySentAt?: string; ttl: number }>;
  counters: Map<string, { n: number; ttl: number }>;
  reminders: Map<string, ReminderRecord>;
  slots: Map<string, { holder: string; until: string }>;
  /** Check-ins, pain reports, red flags and consent events, by their user and sort key (write-only, as in the table). */
  history: Map<string, Record<string, unknown>>;
}

/** One write of a transaction: its condition, then (only if every condition held) its change. */
interface Op {
  check(): boolean;
  apply(): void;
}

/**
 * Runs the ops all-or-nothing: every condition is checked against the state before any change,
 * as a TransactWriteItems is. Returns null when written, else which conditions failed (by position).
 * No await between check and apply, so nothing can interleave.
 */
function transact(ops: Op[]): boolean[] | null {
  const failed = ops.map((op) => !op.check());
  if (failed.some(Boolean)) return failed;
  for (const op of ops) op.apply();
  return null;
}

const clone = <T>(v: T): T => structuredClone(v);
const reminderId = (ref: { userId: string; series: string; stepId: string; channel: 'sms' | 'email' }) =>
  `${ref.userId}\u0000${reminderSk(ref.series, ref.stepId, ref.channel)}`;
const slotId = (userId: string, channel: 'sms' | 'email') => `${userId}\u0000${channel}`;
const historyId = (userId: string, sk: string) => `${userId}\u0000${sk}`;
const byKey = <T>(key: (v: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * What the service writes and no port reads back, for tests: a person's reminders with their send
 * bookkeeping (attempts, last error, provider id, lateness, delivery reports as stored, not as a
 * timeline shows them), and their history (check-ins, pain reports, warning signs, consent), each
 * in key order, as copies. tests/contracts checks the table's items hold the same.
 */
export interface Written {
  reminders: (Omit<ReminderRecord, 'vars'> & { body?: unknown })[];
  history: Record<string, unknown>[];
}

export type MemoryStore = Store & { readonly state: Readonly<State>; written(userId: string): Written };

export function createMemoryStore(): MemoryStore {
  const state: State = {
    users: new Map(),
    owners: new Map(),
    links: new Map(),
    inbound: new Map(),
    counters: new Map(),
    reminders: new Map(),
    slots: new Map(),
    history: new Map(),
  };
  return {
    state,
    ...memoryUsers(state),
    ...memoryLinks(state),
    ...memoryInbound(state),
    ...memoryReminders(state),
    ...memoryDecisionLog(state),
    written(userId) {
      const mine = <V>(map: Map<string, V>) =>
        [...map.entries()]
          .filter(([id]) => id.startsWith(`${userId}\u0000`))
          .sort(byKey(([id]) => id))
          .map(([, v]) => clone(v));
      // A reminder as the table holds it: its vars in `body` (none when empty), or an older version's words.
      const asStored = ({ vars, body, ...r }: ReminderRecord) => ({ ...r, ...(body !== undefined ? { body } : Object.keys(vars).length ? { body: vars } : {}) });
      return { reminders: mine(state.reminders).map(asStored), history: mine(state.history) };
    },
  };
}

function memoryUsers(state: State): UserRepository {
  return {
    async getUser(userId) {
      const found = state.users.get(userId);
      return found ? clone(found.user) : null;
    },
    async emailOwner(address) {
      return state.owners.get(address)?.userId ?? null;
    },
  };
}

function memoryLinks(state: State): LinkRepository {
  return {
    async linkRequest(phone) {
      const link = state.links.get(phone);
      if (!link || link.status === 'linked') return null;
      return { phone, address: link.address, status: link.status, at: link.at };
    },
    async requestLink(req, now) {
      state.links.set(req.phone, { address: req.address, status: req.status, at: req.at, ttl: unprovenTtl(now) });
    },
    async markLinkAsked(phone) {
      const link = state.links.get(phone);
      if (link?.status !== 'requested') return false;
      link.status = 'asked';
      return true;
    },
  };
}

function memoryInbound(state: State): InboundRepository {
  return {
    async inboundReply(messageSid) {
      const record = state.inbound.get(messageSid);
      return record ? record.reply : undefined;
    },
    async replyPending(messageSid) {
      const record = state.inbound.get(messageSid);
      return record && record.reply !== null && record.replySentAt === undefined ? { reply: record.reply } : null;
    },
    async markReplySent(messageSid, at) {
      const record = state.inbound.get(messageSid);
      if (!record) throw new ConditionFailedError(`no inbound record for ${messageSid}`);
      record.replySentAt = at.toISOString();
    },
  };
}

function memoryReminders(state: State): ReminderRepository {
  const get = (ref: Parameters<typeof reminderId>[0]) => state.reminders.get(reminderId(ref));
  const live = () => [...state.reminders.values()].filter((r): r is ReminderRecord & { dueKey: string } => r.dueKey !== undefined);
  const ofUser = (userId: string, series: string) =>
    [...state.reminders.values()]
      .filter((r) => r.userId === userId && r.series === series)
      .sort(byKey((r) => reminderSk(r.series, r.stepId, r.channel)));

  /** The end of a claim, only while the claim is still ours (else thrown, as DynamoDB refuses it). */
  const finish = (ref: ReminderRef, token: string, change: (r: ReminderRecord) => void) => {
    const r = get(ref);
    if (!r || r.status !== 'sending' || r.claimToken !== token) throw new ConditionFailedError('the claim is no longer held');
    change(r);
    delete r.claimUntil;
    delete r.claimToken;
  };

  return {
    async pendingReminders(userId, series) {
      return ofUser(userId, series)
        .filter((r) => r.status === 'pending')
        .map((r) => pendingRef(userId, r));
    },

    async listReminders(userId, series) {
      return ofUser(userId, series).map(reminderView);
    },

    async findDueReminders(now, limit) {
      const until = now.toISOString();
      return live()
        .filter((r) => r.dueKey <= until)
        .sort(byKey((r) => `${r.dueKey}\u0000${r.shard}\u0000${reminderId(r)}`))
        .slice(0, limit)
        .map((r) => dueReminder(r, dueMessage(r)));
    },

    async nextDueAt(until) {
      const first = live()
        .map((r) => r.dueKey)
        .filter((k) => k <= until.toISOString())
        .sort()[0];
      return first ? new Date(first) : null;
    },

    async expire(ref, at) {
      const r = get(ref);
      if (!r || r.dueKey !== ref.dueKey || (r.status !== 'pending' && r.status !== 'sending')) return;
      r.status = 'expired';
      r.expiredAt = at.toISOString();
      delete r.dueKey;
      delete r.claimUntil;
      delete r.claimToken;
    },

    async recordDelivery(report) {
      const r = get(report.ref);
      if (!r) return false;
      const rank = DELIVERY_RANK[report.status] ?? 0;
      const pid = report.providerId;
      // As the DynamoDB condition reads (a comparison with a missing attribute is false there too).
      const aboutSent = r.providerId === pid && (r.deliveryRank === undefined || r.deliveryRank < rank || (r.deliverySid !== undefined && r.deliverySid !== pid));
      const whileUnsent =
        r.providerId === undefined &&
        (r.status === 'pending' || r.status === 'sending') &&
        (r.deliverySid === undefined ||
          (r.deliverySid === pid && r.deliveryRank !== undefined && r.deliveryRank < rank) ||
          (r.deliverySid !== pid && GAVE_UP.includes(r.delivery ?? '')));
      if (!aboutSent && !whileUnsent) return false;
      r.delivery = report.status;
      r.deliveryRank = rank;
      r.deliveryAt = report.at.toISOString();
      r.deliverySid = pid;
      if (report.errorCode) r.deliveryError = report.errorCode;
      else delete r.deliveryError;
      return true;
    },

    async sendRecord(ref) {
      return sendRecord(get(ref));
    },

    async defer(ref, until) {
      const r = get(ref);
      // Someone else moved it first (a claim, a cancel): theirs stands.
      if (r && r.dueKey === ref.dueKey) r.dueKey = until.toISOString();
    },

    async claimReminder(ref, now, claimUntil, token, slotMs = 0) {
      const at = now.toISOString();
      const holder = reminderSk(ref.series, ref.stepId, ref.channel);
      const slotKey = slotId(ref.userId, ref.channel);
      const ops: Op[] = [
        {
          // The channel must still be on, and the reminder's series still current: a STOP or a newer leg day wins.
          check: () => {
            const u = state.users.get(ref.userId)?.user;
            if (!u) return false;
            const on = ref.channel === 'sms' ? u.status === 'active' : u.email?.status === 'confirmed';
            return on && (u.recent[0]?.id === ref.series || u.painTrack?.id === ref.series);
          },
          apply: () => {},
        },
        {
          check: () => {
            const r = get(ref);
            return (
              r !== undefined &&
              r.dueKey !== undefined &&
              r.dueKey <= at &&
              r.attempts === ref.attempts &&
              (r.status === 'pending' || (r.status === 'sending' && r.claimUntil !== undefined && r.claimUntil <= at))
            );
          },
          apply: () => {
            const r = get(ref)!;
            r.status = 'sending';
            r.claimToken = token;
            r.claimUntil = claimUntil.toISOString();
            r.dueKey = claimUntil.toISOString();
            r.attempts += 1;
            r.firstTriedAt ??= at;
          },
        },
        ...(slotMs > 0
          ? [
              {
                check: () => {
                  const slot = state.slots.get(slotKey);
                  return !slot || slot.until <= at || slot.holder === holder;
                },
                apply: () => state.slots.set(slotKey, { holder, until: new Date(now.getTime() + slotMs).toISOString() }),
              },
            ]
          : []),
      ];
      const failed = transact(ops);
      if (failed === null) return { outcome: 'claimed', token, attempts: ref.attempts + 1 };
      if (failed[0] && !failed[1]) return { outcome: 'obsolete' };
      if (!failed[1] && failed[2]) {
        const held = state.slots.get(slotKey);
        const until = held ? new Date(held.until) : new Date(now.getTime() + slotMs);
        return { outcome: 'busy', until: until > now ? until : new Date(now.getTime() + 60_000) };
      }
      return { outcome: 'taken' };
    },

    async markSent(ref, token, at, providerId, lateSeconds) {
      finish(ref, token, (r) => {
        r.status = 'sent';
        r.sentAt = at.toISOString();
        r.providerId = providerId;
        if (lateSeconds !== undefined) r.lateSeconds = lateSeconds;
        delete r.dueKey;
        delete r.uncertain;
      });
    },

    async retryLater(ref, token, retryAt, error, uncertain) {
      finish(ref, token, (r) => {
        r.status = 'pending';
        r.dueKey = retryAt.toISOString();
        r.lastError = error;
        r.uncertain = uncertain;
      });
    },

    async markFailed(ref, token, at, error, uncertain) {
      finish(ref, token, (r) => {
        r.status = 'failed';
        r.failedAt = at.toISOString();
        r.lastError = error;
        r.uncertain = uncertain;
        delete r.dueKey;
      });
    },

    async cancelReminder(ref, at, reason) {
      const r = get(ref);
      // A claimed reminder can be cancelled too: the claim check found it obsolete.
      if (r && (r.status === 'pending' || r.status === 'sending')) cancel(r, at.toISOString(), reason);
    },
  };
}

function cancel(r: ReminderRecord, at: string, reason: string) {
  r.status = 'cancelled';
  r.cancelledAt = at;
  r.cancelReason = reason;
  delete r.dueKey;
}

/** What it says as the sweeper gets it, typed by channel like the DynamoDB adapter's read. */
function dueMessage(r: ReminderRecord): DueMessage {
  if (r.body === undefined) return { channel: r.channel, vars: clone(r.vars) };
  const old = readReminderMessage(r.channel, clone(r.body));
  if (!old) throw new Error(`broken reminder ${r.stepId}: its stored words are not a ${r.channel}'s`);
  return old;
}

function newReminder(user: UserState, r: NewReminder, createdAt: string): ReminderRecord {
  const dueAt = r.dueAt.toISOString();
  return {
    userId: user.id,
    series: r.series,
    stepId: r.stepId,
    channel: r.channel,
    to: reminderAddress(user, r.channel) ?? undefined,
    vars: clone(r.vars),
    tz: r.tz,
    dueAt,
    validUntil: r.validUntil.toISOString(),
    attempts: 0,
    createdAt,
    shard: dueShard(user.id, r.series, r.stepId, r.channel),
    ...(expiredWhenPlanned(r) ? { status: 'expired' as const, expiredAt: createdAt } : { status: 'pending' as const, dueKey: dueAt }),
  };
}

function memoryDecisionLog(state: State): DecisionLog {
  const put = <K, V>(map: Map<K, V>, key: K, value: V): Op => ({ check: () => true, apply: () => void map.set(key, value) });
  const file = (userId: string, h: HistoryRecord) => put(state.history, historyId(userId, h.sk), clone(h.record));
  const insertInbound = (messageSid: string, reply: Reply | null, now: Date): Op => ({
    check: () => !state.inbound.has(messageSid),
    apply: () => void state.inbound.set(messageSid, { reply, at: now.toISOString(), ttl: inboundTtl(now) }),
  });
  const pendingOnly = (ref: Parameters<typeof reminderId>[0], change: (r: ReminderRecord) => void): Op => ({
    check: () => state.reminders.get(reminderId(ref))?.status === 'pending',
    apply: () => change(state.reminders.get(reminderId(ref))!),
  });

  return {
    async commit({ decision, expectedVersion, cancel: cancelRefs, reschedule, inbound, limits = [], claimEmail = null, now }) {
      const at = now.toISOString();
      const ops: Op[] = [];
      // Same order as the DynamoDB transaction: the dedupe record, then the counters.
      if (inbound) ops.push(insertInbound(inbound.messageSid, inbound.reply, now));
      const limitAt = (i: number) => (inbound ? 1 : 0) + i;
      for (const limit of limits) {
        ops.push({
          check: () => (state.counters.get(limit.key)?.n ?? 0) < limit.max,
          apply: () => {
            const c = state.counters.get(limit.key);
            state.counters.set(limit.key, { n: (c?.n ?? 0) + 1, ttl: c?.ttl ?? limit.expiresAt });
          },
        });
      }
      const user = decision.user;
      if (user) {
        const ttl = profileTtl(user, now);
        ops.push({
          check: () => {
            const current = state.users.get(user.id);
            return expectedVersion === null ? current === undefined : current?.user.version === expectedVersion;
          },
          apply: () => void state.users.set(user.id, { user: clone(user), ...(ttl === undefined ? {} : { ttl }) }),
        });
        if (claimEmail) {
          const ttl = ownerTtl(user, claimEmail, now);
          ops.push({
            check: () => {
              const owner = state.owners.get(claimEmail);
              return owner === undefined || owner.userId === user.id;
            },
            apply: () => void state.owners.set(claimEmail, { userId: user.id, at, ...(ttl === undefined ? {} : { ttl }) }),
          });
        }
        for (const h of historyRecords(decision)) ops.push(file(user.id, h));
        for (const r of decision.reminders) {
          const record = newReminder(user, r, at);
          ops.push(put(state.reminders, reminderId(record), record));
        }
        // Moved, not rewritten: attempts, the uncertain mark and the last error stay.
        for (const r of reschedule) {
          ops.push(
            pendingOnly({ userId: user.id, series: r.series, stepId: r.stepId, channel: r.channel }, (found) => {
              found.dueAt = r.dueAt.toISOString();
              found.dueKey = found.dueAt;
              found.vars = clone(r.vars);
              delete found.body;
              found.tz = r.tz;
              found.rescheduledAt = at;
            }),
          );
        }
      }
      for (const ref of cancelRefs) ops.push(pendingOnly(ref, (found) => cancel(found, at, COMMIT_CANCEL_REASON)));
      if (user && decision.consent) ops.push(file(user.id, consentRecord(decision.consent, user.version)));
      const failed = transact(ops);
      if (failed === null) return { outcome: 'ok' };
      if (inbound && failed[0]) return { outcome: 'duplicate' };
      const full = limits.findIndex((_, i) => failed[limitAt(i)]);
      if (full >= 0) return { outcome: 'limited', limit: limits[full]!.name };
      return { outcome: 'conflict' };
    },

    async commitLink({ phoneUser, emailUser, expected, address, consent, inbound, now }) {
      const at = now.toISOString();
      const version = (u: UserState, v: number): Op => ({
        check: () => state.users.get(u.id)?.user.version === v,
        apply: () => void state.users.set(u.id, { user: clone(u) }),
      });
      const failed = transact([
        insertInbound(inbound.messageSid, inbound.reply, now),
        version(phoneUser, expected.phone),
        version(emailUser, expected.email),
        {
          check: () => state.owners.get(address)?.userId === emailUser.id,
          apply: () => void state.owners.set(address, { userId: phoneUser.id, at }),
        },
        {
          check: () => {
            const link = state.links.get(phoneUser.id);
            return link?.status === 'asked' && link.address === address;
          },
          apply: () => {
            const link = state.links.get(phoneUser.id)!;
            link.status = 'linked';
            link.linkedAt = at;
          },
        },
        file(phoneUser.id, consentRecord(consent, phoneUser.version)),
      ]);
      if (failed === null) return 'ok';
      return failed[0] ? 'duplicate' : 'conflict';
    },
  };
}
