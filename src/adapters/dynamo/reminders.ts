import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NewReminder } from '../../core/plan.ts';
import type { UserState } from '../../core/user.ts';
import type { ClaimResult, DueReminder, ReminderRepository } from '../../use-cases/ports.ts';
import { DELIVERY_RANK, dueReminder, expiredWhenPlanned, pendingRef, reminderAddress, reminderView, sendRecord } from '../storage-rules.ts';
import { cancellationReasons, updateIf } from './common.ts';
import { DUE_INDEX, DUE_SHARDS, PROFILE_SK, duePk, dueShard, reminderPrefix, reminderSk, slotSk, userPk } from './keys.ts';
import { BrokenItemError, parseDueEntry, parseDueKey, parsePendingRef, parseReminder, parseSendRecord, parseSlot } from './items.ts';

export const reminderKey = (ref: { userId: string; series: string; stepId: string; channel: 'sms' | 'email' }) => ({
  PK: userPk(ref.userId),
  SK: reminderSk(ref.series, ref.stepId, ref.channel),
});

/**
 * What a reminder's `body` holds: what its step says, unworded (its vars; no body when it needs
 * none); the sweeper words it as it sends. The attribute keeps its name, which reminders planned
 * before hold their words under, because the due index projects it (docs/table-design.md).
 */
const bodyOf = (r: NewReminder) => (Object.keys(r.vars).length ? r.vars : undefined);

/** A new reminder as written (parseReminder reads it back). */
export function reminderItem(user: UserState, r: NewReminder, createdAt: string) {
  const body = bodyOf(r);
  const dueAt = r.dueAt.toISOString();
  return {
    ...reminderKey({ userId: user.id, series: r.series, stepId: r.stepId, channel: r.channel }),
    type: 'reminder',
    channel: r.channel,
    to: reminderAddress(user, r.channel),
    series: r.series,
    stepId: r.stepId,
    ...(body ? { body } : {}),
    tz: r.tz,
    dueAt,
    validUntil: r.validUntil.toISOString(),
    attempts: 0,
    createdAt,
    ...(expiredWhenPlanned(r)
      ? { status: 'expired', expiredAt: createdAt }
      : { status: 'pending', gsi1pk: dueShard(user.id, r.series, r.stepId, r.channel), gsi1sk: dueAt }),
  };
}

/**
 * Moved, not rewritten: attempts, the uncertain mark and the last error stay. Only while pending.
 * What it says is the new plan's (a reminder planned before wording moved to send time loses its
 * stored words, and is worded when sent like a new one).
 */
export function rescheduleUpdate(tableName: string, user: UserState, r: NewReminder, at: string) {
  const due = r.dueAt.toISOString();
  const body = bodyOf(r);
  return {
    TableName: tableName,
    Key: reminderKey({ userId: user.id, series: r.series, stepId: r.stepId, channel: r.channel }),
    UpdateExpression: `SET dueAt = :due, gsi1sk = :due, tz = :tz, rescheduledAt = :at${body ? ', body = :body' : ' REMOVE body'}`,
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pending': 'pending', ':due': due, ':tz': r.tz, ':at': at, ...(body ? { ':body': body } : {}) },
  };
}

/** Told of a stored item that cannot be read (it is skipped, so one bad item cannot stop every sweep). */
export type OnBrokenItem = (err: BrokenItemError) => void;

export function createDynamoReminders(db: DynamoDBDocumentClient, tableName: string, onBroken: OnBrokenItem = () => {}): ReminderRepository {
  return {
    async pendingReminders(userId, series) {
      const res = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': reminderPrefix(series), ':pending': 'pending' },
          ConsistentRead: true,
        }),
      );
      // Only what cancelling or moving needs is read: a reminder whose words are broken can still be cancelled (STOP).
      return (res.Items ?? []).map((item) => pendingRef(userId, parsePendingRef(item)));
    },

    async listReminders(userId, series) {
      const res = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': reminderPrefix(series) },
        }),
      );
      return (res.Items ?? []).map((item) => reminderView(parseReminder(item)));
    },

    async findDueReminders(now, limit) {
      const until = now.toISOString();
      const perShard = await Promise.all(
        Array.from({ length: DUE_SHARDS }, (_, i) => queryShard(db, tableName, duePk(i), until, limit, onBroken)),
      );
      return perShard
        .flat()
        .sort((a, b) => (a.dueKey < b.dueKey ? -1 : a.dueKey > b.dueKey ? 1 : 0))
        .slice(0, limit);
    },

    async nextDueAt(until) {
      const firsts = await Promise.all(
        Array.from({ length: DUE_SHARDS }, async (_, i) => {
          const res = await db.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: DUE_INDEX,
              KeyConditionExpression: 'gsi1pk = :shard AND gsi1sk <= :until',
              ExpressionAttributeValues: { ':shard': duePk(i), ':until': until.toISOString() },
              ProjectionExpression: 'gsi1sk',
              Limit: 1,
            }),
          );
          return res.Items?.[0] ? parseDueKey(res.Items[0]) : null;
        }),
      );
      const found = firsts.filter((f): f is string => f !== null).sort()[0];
      return found ? new Date(found) : null;
    },

    async expire(ref, at) {
      await updateIf(db, {
        TableName: tableName,
        Key: reminderKey(ref),
        UpdateExpression: 'SET #status = :expired, expiredAt = :at REMOVE gsi1pk, gsi1sk, claimUntil, claimToken',
        // As read: a claim, a cancel or a deferral that came first stands.
        ConditionExpression: 'gsi1sk = :seen AND #status IN (:pending, :sending)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': 'expired', ':at': at.toISOString(), ':seen': ref.dueKey, ':pending': 'pending', ':sending': 'sending' },
      });
    },

    async recordDelivery(report) {
      const rank = DELIVERY_RANK[report.status] ?? 0;
      return updateIf(db, {
        TableName: tableName,
        Key: reminderKey(report.ref),
        UpdateExpression:
          'SET delivery = :status, deliveryRank = :rank, deliveryAt = :at, deliverySid = :pid' + (report.errorCode ? ', deliveryError = :code' : ' REMOVE deliveryError'),
        // Never backwards (callbacks come late or twice), and only about this reminder's message:
        // - the one recorded as sent (providerId), whose earlier reports may be about it or about
        //   an earlier try's message (deliverySid) that never reached the phone;
        // - or, while no send is recorded (a try timed out, or its sweeper died: pending or
        //   claimed), the message the callback names, which the sweeper then takes for the send.
        //   Another message's report replaces it only when Twilio gave up on that one.
        ConditionExpression:
          '(providerId = :pid AND (attribute_not_exists(deliveryRank) OR deliveryRank < :rank OR deliverySid <> :pid))' +
          ' OR (attribute_not_exists(providerId) AND #status IN (:pending, :sending) AND (attribute_not_exists(deliverySid)' +
          ' OR (deliverySid = :pid AND deliveryRank < :rank) OR (deliverySid <> :pid AND delivery IN (:failed, :undelivered, :canceled))))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': report.status,
          ':rank': rank,
          ':at': report.at.toISOString(),
          ':pid': report.providerId,
          ':pending': 'pending',
          ':sending': 'sending',
          ':failed': 'failed',
          ':undelivered': 'undelivered',
          ':canceled': 'canceled',
          ...(report.errorCode ? { ':code': report.errorCode } : {}),
        },
      });
    },

    async sendRecord(ref) {
      const res = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: reminderKey(ref),
          ConsistentRead: true,
          ProjectionExpression: 'providerId, deliverySid, delivery, deliveryError, firstTriedAt',
        }),
      );
      return sendRecord(res.Item ? parseSendRecord(res.Item) : undefined);
    },

    async defer(ref, until) {
      // Refused when someone else moved it first (a claim, a cancel): theirs stands.
      await updateIf(db, {
        TableName: tableName,
        Key: reminderKey(ref),
        UpdateExpression: 'SET gsi1sk = :until',
        ConditionExpression: 'gsi1sk = :seen',
        ExpressionAttributeValues: { ':until': until.toISOString(), ':seen': ref.dueKey },
      });
    },

    async claimReminder(ref, now, claimUntil, token, slotMs = 0) {
      const at = now.toISOString();
      const holder = reminderSk(ref.series, ref.stepId, ref.channel);
      const slot = { PK: userPk(ref.userId), SK: slotSk(ref.channel) };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                // Checked in the same transaction as the claim, so a STOP or a newer leg day that
                // lands first always wins.
                ConditionCheck: {
                  TableName: tableName,
                  Key: { PK: userPk(ref.userId), SK: PROFILE_SK },
                  // The channel must still be on: texts need an active number, emails a confirmed address.
                  ConditionExpression: `${ref.channel === 'sms' ? '#status = :on' : 'emailStatus = :on'} AND (lastCheckinId = :series OR painTrackId = :series)`,
                  ExpressionAttributeNames: ref.channel === 'sms' ? { '#status': 'status' } : undefined,
                  ExpressionAttributeValues: { ':on': ref.channel === 'sms' ? 'active' : 'confirmed', ':series': ref.series },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: reminderKey(ref),
                  UpdateExpression:
                    // firstTriedAt: no message of this reminder's can be older (its log lookup starts there).
                    'SET #status = :sending, claimToken = :token, claimUntil = :until, gsi1sk = :until, attempts = attempts + :one, firstTriedAt = if_not_exists(firstTriedAt, :now)',
                  // attempts = :seen pins the claim to the state the sweeper read from the index.
                  ConditionExpression:
                    'gsi1sk <= :now AND attempts = :seen AND (#status = :pending OR (#status = :sending AND claimUntil <= :now))',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':sending': 'sending',
                    ':pending': 'pending',
                    ':token': token,
                    ':until': claimUntil.toISOString(),
                    ':now': at,
                    ':one': 1,
                    ':seen': ref.attempts,
                  },
                },
              },
              ...(slotMs > 0
                ? [
                    {
                      // One scheduled message per person per channel per slot: held by this reminder
                      // (its own retries may use it again) until it runs out.
                      Update: {
                        TableName: tableName,
                        Key: slot,
                        UpdateExpression: 'SET #type = :slot, holder = :holder, #until = :slotUntil',
                        ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now OR holder = :holder',
                        ExpressionAttributeNames: { '#type': 'type', '#until': 'until' },
                        ExpressionAttributeValues: {
                          ':slot': 'slot',
                          ':holder': holder,
                          ':slotUntil': new Date(now.getTime() + slotMs).toISOString(),
                          ':now': at,
                        },
                      },
                    },
                  ]
                : []),
            ],
          }),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        if (reasons[0] === 'ConditionalCheckFailed' && reasons[1] !== 'ConditionalCheckFailed') return { outcome: 'obsolete' };
        if (reasons[1] !== 'ConditionalCheckFailed' && reasons[2] === 'ConditionalCheckFailed') {
          const held = await db.send(new GetCommand({ TableName: tableName, Key: slot, ConsistentRead: true }));
          const until = held.Item ? new Date(parseSlot(held.Item).until) : new Date(now.getTime() + slotMs);
          return { outcome: 'busy', until: until > now ? until : new Date(now.getTime() + 60_000) };
        }
        return { outcome: 'taken' };
      }
      return { outcome: 'claimed', token, attempts: ref.attempts + 1 } satisfies ClaimResult;
    },

    async markSent(ref, token, at, providerId, lateSeconds) {
      await finish(
        db,
        tableName,
        reminderKey(ref),
        token,
        `SET #status = :sent, sentAt = :at, providerId = :pid${lateSeconds === undefined ? '' : ', lateSeconds = :late'} REMOVE gsi1pk, gsi1sk, claimUntil, claimToken, uncertain`,
        { ':sent': 'sent', ':at': at.toISOString(), ':pid': providerId, ...(lateSeconds === undefined ? {} : { ':late': lateSeconds }) },
      );
    },

    async retryLater(ref, token, retryAt, error, uncertain) {
      await finish(db, tableName, reminderKey(ref), token, 'SET #status = :pending, gsi1sk = :retry, lastError = :err, uncertain = :u REMOVE claimUntil, claimToken', {
        ':pending': 'pending',
        ':retry': retryAt.toISOString(),
        ':err': error,
        ':u': uncertain,
      });
    },

    async markFailed(ref, token, at, error, uncertain) {
      await finish(db, tableName, reminderKey(ref), token, 'SET #status = :failed, failedAt = :at, lastError = :err, uncertain = :u REMOVE gsi1pk, gsi1sk, claimUntil, claimToken', {
        ':failed': 'failed',
        ':at': at.toISOString(),
        ':err': error,
        ':u': uncertain,
      });
    },

    async cancelReminder(ref, at, reason) {
      const update = cancelUpdate(tableName, reminderKey(ref), at.toISOString(), reason);
      await updateIf(db, {
        ...update,
        // A claimed reminder can be cancelled too: the claim check found it obsolete.
        ConditionExpression: '#status IN (:pending, :sending)',
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':sending': 'sending' },
      });
    },
  };
}

export function cancelUpdate(tableName: string, key: Record<string, string>, at: string, reason: string) {
  return {
    TableName: tableName,
    Key: key,
    UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at, cancelReason = :reason REMOVE gsi1pk, gsi1sk',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':cancelled': 'cancelled', ':at': at, ':reason': reason, ':pending': 'pending' } as Record<
      string,
      string
    >,
  };
}

/** Records the end of a claim, but only while the claim is still ours. */
async function finish(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  token: string,
  update: string,
  values: Record<string, unknown>,
): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: update,
      ConditionExpression: '#status = :sendingState AND claimToken = :token',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':sendingState': 'sending', ':token': token },
    }),
  );
}

async function queryShard(
  db: DynamoDBDocumentClient,
  tableName: string,
  shard: string,
  until: string,
  limit: number,
  onBroken: OnBrokenItem,
): Promise<DueReminder[]> {
  const out: DueReminder[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'gsi1pk = :shard AND gsi1sk <= :until',
        ExpressionAttributeValues: { ':shard': shard, ':until': until },
        Limit: limit - out.length,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of res.Items ?? []) {
      let r: ReturnType<typeof parseDueEntry>;
      try {
        r = parseDueEntry(item);
      } catch (err) {
        if (!(err instanceof BrokenItemError)) throw err;
        // Left where it is for an operator (the error names it, masked); every other reminder still goes.
        onBroken(err);
        continue;
      }
      out.push(dueReminder(r, r.message));
    }
    start = res.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

