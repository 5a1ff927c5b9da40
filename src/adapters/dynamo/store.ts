import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { StepId } from '../../content/messages.ts';
import type { UserState } from '../../core/respond.ts';
import type { ClaimResult, CommitResult, ReminderRef, Store } from '../../use-cases/ports.ts';
import {
  DUE_INDEX,
  DUE_SHARDS,
  INBOUND_SK,
  PROFILE_SK,
  checkinSk,
  consentSk,
  dueShard,
  inboundPk,
  parseReminderSk,
  reminderPrefix,
  reminderSk,
  userPk,
} from './keys.ts';

/** How long a handled MessageSid is remembered; Twilio retries within minutes, so a week is ample. */
const INBOUND_TTL_SECONDS = 7 * 24 * 3600;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export function createDynamoStore(db: DynamoDBDocumentClient, tableName: string): Store {
  const reminderKey = (ref: ReminderRef) => ({ PK: userPk(ref.phone), SK: reminderSk(ref.checkinId, ref.stepId) });

  return {
    async getUser(phone) {
      const res = await db.send(
        new GetCommand({ TableName: tableName, Key: { PK: userPk(phone), SK: PROFILE_SK }, ConsistentRead: true }),
      );
      return res.Item ? toUser(res.Item) : null;
    },

    async pendingReminders(phone, checkinId) {
      const res = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          FilterExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': userPk(phone), ':prefix': reminderPrefix(checkinId), ':pending': 'pending' },
          ConsistentRead: true,
        }),
      );
      return (res.Items ?? []).flatMap((item) => {
        const parsed = parseReminderSk(String(item.SK));
        return parsed
          ? [{ phone, checkinId: parsed.checkinId, stepId: parsed.stepId as StepId, attempts: Number(item.attempts ?? 0) }]
          : [];
      });
    },

    async commit({ decision, expectedVersion, cancel, inbound, now }) {
      const at = now.toISOString();
      const items: TransactItem[] = [];
      if (inbound) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              PK: inboundPk(inbound.messageSid),
              SK: INBOUND_SK,
              type: 'inbound',
              reply: inbound.reply,
              at,
              ttl: Math.floor(now.getTime() / 1000) + INBOUND_TTL_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        });
      }
      const user = decision.user;
      if (user) {
        items.push({
          Put: {
            TableName: tableName,
            Item: fromUser(user),
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(PK)' }
              : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
          },
        });
      }
      const phone = user?.phone;
      if (decision.checkin && phone) {
        const c = decision.checkin;
        items.push({
          Put: {
            TableName: tableName,
            Item: { PK: userPk(phone), SK: checkinSk(c.at, c.id), type: 'checkin', ...c },
          },
        });
        for (const r of decision.reminders) {
          const dueAt = r.dueAt.toISOString();
          items.push({
            Put: {
              TableName: tableName,
              Item: {
                PK: userPk(phone),
                SK: reminderSk(c.id, r.stepId),
                type: 'reminder',
                phone,
                checkinId: c.id,
                stepId: r.stepId,
                dueAt,
                status: 'pending',
                attempts: 0,
                createdAt: at,
                gsi1pk: dueShard(phone, c.id, r.stepId),
                gsi1sk: dueAt,
              },
            },
          });
        }
      }
      for (const ref of cancel) {
        items.push({ Update: cancelUpdate(tableName, reminderKey(ref), at, 'replaced or opted out') });
      }
      if (decision.consent && phone) {
        items.push({
          Put: {
            TableName: tableName,
            Item: { PK: userPk(phone), SK: consentSk(decision.consent.at, decision.consent.action), type: 'consent', ...decision.consent },
          },
        });
      }
      if (items.length === 0) return 'ok';
      try {
        if (items.length === 1 && items[0]!.Put) {
          await db.send(new PutCommand(items[0]!.Put));
        } else {
          await db.send(new TransactWriteCommand({ TransactItems: items }));
        }
        return 'ok';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        // The dedupe record is always first: its condition failing means "seen before".
        if (inbound && reasons[0] === 'ConditionalCheckFailed') return 'duplicate';
        return 'conflict';
      }
    },

    async inboundReply(messageSid) {
      const res = await db.send(
        new GetCommand({ TableName: tableName, Key: { PK: inboundPk(messageSid), SK: INBOUND_SK }, ConsistentRead: true }),
      );
      if (!res.Item) return undefined;
      return typeof res.Item.reply === 'string' ? res.Item.reply : null;
    },

    async findDueReminders(now, limit) {
      const until = now.toISOString();
      const perShard = await Promise.all(
        Array.from({ length: DUE_SHARDS }, (_, i) => queryShard(db, tableName, `DUE#${i}`, until, limit)),
      );
      return perShard
        .flat()
        .sort((a, b) => (a.dueKey < b.dueKey ? -1 : a.dueKey > b.dueKey ? 1 : 0))
        .slice(0, limit)
        .map((r) => r.ref);
    },

    async claimReminder(ref, now, claimUntil, token) {
      const at = now.toISOString();
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                // Checked in the same transaction as the claim, so a STOP or a newer leg day that
                // lands first always wins.
                ConditionCheck: {
                  TableName: tableName,
                  Key: { PK: userPk(ref.phone), SK: PROFILE_SK },
                  ConditionExpression: '#status = :active AND lastCheckinId = :cid',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':active': 'active', ':cid': ref.checkinId },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: reminderKey(ref),
                  UpdateExpression:
                    'SET #status = :sending, claimToken = :token, claimUntil = :until, gsi1sk = :until, attempts = attempts + :one',
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
            ],
          }),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        if (reasons[0] === 'ConditionalCheckFailed' && reasons[1] !== 'ConditionalCheckFailed') return { outcome: 'obsolete' };
        return { outcome: 'taken' };
      }
      return { outcome: 'claimed', token, attempts: ref.attempts + 1 } satisfies ClaimResult;
    },

    async markSent(ref, token, at, providerId) {
      await finish(db, tableName, reminderKey(ref), token, 'SET #status = :sent, sentAt = :at, providerId = :pid REMOVE gsi1pk, gsi1sk, claimUntil, claimToken', {
        ':sent': 'sent',
        ':at': at.toISOString(),
        ':pid': providerId,
      });
    },

    async retryLater(ref, token, retryAt, error) {
      await finish(db, tableName, reminderKey(ref), token, 'SET #status = :pending, gsi1sk = :retry, lastError = :err REMOVE claimUntil, claimToken', {
        ':pending': 'pending',
        ':retry': retryAt.toISOString(),
        ':err': error,
      });
    },

    async markFailed(ref, token, at, error) {
      await finish(db, tableName, reminderKey(ref), token, 'SET #status = :failed, failedAt = :at, lastError = :err REMOVE gsi1pk, gsi1sk, claimUntil, claimToken', {
        ':failed': 'failed',
        ':at': at.toISOString(),
        ':err': error,
      });
    },

    async cancelReminder(ref, at, reason) {
      const update = cancelUpdate(tableName, reminderKey(ref), at.toISOString(), reason);
      try {
        await db.send(
          new UpdateCommand({
            ...update,
            // A claimed reminder can be cancelled too: the claim check found it obsolete.
            ConditionExpression: '#status IN (:pending, :sending)',
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':sending': 'sending' },
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      }
    },
  };
}

function cancelUpdate(tableName: string, key: Record<string, string>, at: string, reason: string) {
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

async function queryShard(db: DynamoDBDocumentClient, tableName: string, shard: string, until: string, limit: number) {
  const out: { ref: ReminderRef; dueKey: string }[] = [];
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
      const parsed = parseReminderSk(String(item.SK));
      if (!parsed) continue;
      out.push({
        ref: {
          phone: String(item.PK).slice('USER#'.length),
          checkinId: parsed.checkinId,
          stepId: parsed.stepId as StepId,
          attempts: Number(item.attempts ?? 0),
        },
        dueKey: String(item.gsi1sk),
      });
    }
    start = res.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

function cancellationReasons(err: unknown): string[] | null {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === 'ConditionalCheckFailedException') return ['ConditionalCheckFailed'];
  if (e?.name !== 'TransactionCanceledException') return null;
  return (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

function fromUser(u: UserState) {
  return {
    PK: userPk(u.phone),
    SK: PROFILE_SK,
    type: 'user',
    phone: u.phone,
    status: u.status,
    enrolledAt: u.enrolledAt,
    lastCheckinId: u.lastCheckin?.id,
    lastCheckinAt: u.lastCheckin?.at,
    version: u.version,
  };
}

function toUser(item: Record<string, unknown>): UserState {
  return {
    phone: String(item.phone),
    status: item.status === 'opted_out' ? 'opted_out' : 'active',
    enrolledAt: String(item.enrolledAt),
    lastCheckin:
      typeof item.lastCheckinId === 'string' ? { id: item.lastCheckinId, at: String(item.lastCheckinAt) } : null,
    version: Number(item.version ?? 0),
  };
}
