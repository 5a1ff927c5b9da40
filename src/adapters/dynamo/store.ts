import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { NewReminder } from '../../core/plan.ts';
import type { CheckinSummary, EmailContact, PainTrack, UserState } from '../../core/user.ts';
import type { LinkRequest } from '../../core/link-email.ts';
import type { ClaimResult, DueReminder, ReminderRef, Store } from '../../use-cases/ports.ts';
import {
  DUE_INDEX,
  DUE_SHARDS,
  INBOUND_SK,
  PROFILE_SK,
  EMAIL_SK,
  checkinSk,
  consentSk,
  dueShard,
  emailPk,
  inboundPk,
  painSk,
  parseReminderSk,
  redFlagSk,
  reminderPrefix,
  reminderSk,
  slotSk,
  userPk,
} from './keys.ts';
import { readReminderMessage, readReply } from './stored-reply.ts';

/** How long a handled MessageSid is remembered; Twilio retries within minutes, so a week is ample. */
const INBOUND_TTL_SECONDS = 7 * 24 * 3600;
/** The number's request to be tied to an address (core/link-email.ts). */
const LINK_SK = 'LINK';

/**
 * A sign-up nobody has proven (no text from the number, no click on the emailed link, no leg day)
 * is forgotten this long after it was last written: a day more than the confirmation link lives.
 * The address's owner record of a still-pending email expires with it, so a form post cannot
 * claim an address for good.
 */
export const UNPROVEN_SIGNUP_TTL_SECONDS = 8 * 24 * 3600;

export const isUnproven = (u: UserState) =>
  (u.phone === null || u.status === 'pending') && (u.email === null || u.email.status === 'pending') && u.recent.length === 0;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

export function createDynamoStore(db: DynamoDBDocumentClient, tableName: string): Store {
  const reminderKey = (ref: { userId: string; series: string; stepId: string; channel: 'sms' | 'email' }) => ({
    PK: userPk(ref.userId),
    SK: reminderSk(ref.series, ref.stepId, ref.channel),
  });
  const reminderItem = (user: UserState, r: NewReminder, createdAt: string) => {
    const dueAt = r.dueAt.toISOString();
    // A step that cannot go inside its window is kept, as expired, and never enters the due index.
    const expired = r.dueAt.getTime() >= r.validUntil.getTime();
    return {
      ...reminderKey({ userId: user.id, series: r.series, stepId: r.stepId, channel: r.channel }),
      type: 'reminder',
      channel: r.channel,
      // Where it goes is fixed when planned; the claim re-checks that the channel is still on.
      to: r.channel === 'sms' ? user.phone : user.email?.address,
      series: r.series,
      stepId: r.stepId,
      body: r.body,
      tz: r.tz,
      dueAt,
      validUntil: r.validUntil.toISOString(),
      attempts: 0,
      createdAt,
      ...(expired
        ? { status: 'expired', expiredAt: createdAt }
        : { status: 'pending', gsi1pk: dueShard(user.id, r.series, r.channel === 'sms' ? r.stepId : `email#${r.stepId}`), gsi1sk: dueAt }),
    };
  };

  const linkKey = (phone: string) => ({ PK: userPk(phone), SK: LINK_SK });

  return {
    async linkRequest(phone) {
      const res = await db.send(new GetCommand({ TableName: tableName, Key: linkKey(phone), ConsistentRead: true }));
      const item = res.Item;
      if (!item || (item.status !== 'requested' && item.status !== 'asked')) return null;
      return { phone, address: String(item.address), status: item.status, at: String(item.at) } satisfies LinkRequest;
    },

    async requestLink(req, now) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...linkKey(req.phone), type: 'link', address: req.address, status: req.status, at: req.at, ttl: Math.floor(now.getTime() / 1000) + UNPROVEN_SIGNUP_TTL_SECONDS },
        }),
      );
    },

    async markLinkAsked(phone) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: linkKey(phone),
            UpdateExpression: 'SET #status = :asked',
            ConditionExpression: '#status = :requested',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':asked': 'asked', ':requested': 'requested' },
          }),
        );
        return true;
      } catch (err) {
        if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },

    async commitLink({ phoneUser, emailUser, expected, address, consent, inbound, now }) {
      const at = now.toISOString();
      const version = (v: number) => ({ ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': v } });
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { PK: inboundPk(inbound.messageSid), SK: INBOUND_SK, type: 'inbound', reply: inbound.reply, at, ttl: Math.floor(now.getTime() / 1000) + INBOUND_TTL_SECONDS },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              { Put: { TableName: tableName, Item: fromUser(phoneUser), ...version(expected.phone) } },
              { Put: { TableName: tableName, Item: fromUser(emailUser), ...version(expected.email) } },
              {
                Put: {
                  TableName: tableName,
                  Item: { PK: emailPk(address), SK: EMAIL_SK, type: 'email', userId: phoneUser.id, at },
                  ConditionExpression: 'userId = :was',
                  ExpressionAttributeValues: { ':was': emailUser.id },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: linkKey(phoneUser.id),
                  UpdateExpression: 'SET #status = :linked, linkedAt = :at',
                  ConditionExpression: '#status = :asked AND address = :address',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':linked': 'linked', ':at': at, ':asked': 'asked', ':address': address },
                },
              },
              { Put: { TableName: tableName, Item: { PK: userPk(phoneUser.id), SK: consentSk(consent.at, consent.action, phoneUser.version), type: 'consent', ...consent } } },
            ],
          }),
        );
        return 'ok';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        return reasons[0] === 'ConditionalCheckFailed' ? 'duplicate' : 'conflict';
      }
    },

    async getUser(userId) {
      const res = await db.send(
        new GetCommand({ TableName: tableName, Key: { PK: userPk(userId), SK: PROFILE_SK }, ConsistentRead: true }),
      );
      return res.Item ? toUser(res.Item) : null;
    },

    async emailOwner(address) {
      const res = await db.send(
        new GetCommand({ TableName: tableName, Key: { PK: emailPk(address), SK: EMAIL_SK }, ConsistentRead: true }),
      );
      return res.Item ? String(res.Item.userId) : null;
    },

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
      return (res.Items ?? []).flatMap((item) => {
        const parsed = parseReminderSk(String(item.SK));
        return parsed ? [{ userId, ...parsed, attempts: Number(item.attempts ?? 0), dueAt: String(item.gsi1sk ?? item.dueAt) }] : [];
      });
    },

    async listReminders(userId, series) {
      const res = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': reminderPrefix(series) },
        }),
      );
      return (res.Items ?? []).map((item) => ({
        stepId: String(item.stepId),
        channel: item.channel === 'email' ? ('email' as const) : ('sms' as const),
        // A retry or a deferral moves when it will really go: that is the time to show.
        dueAt: String(item.status === 'pending' ? item.gsi1sk : item.dueAt),
        status: item.status as 'pending',
        ...(item.sentAt ? { sentAt: String(item.sentAt) } : {}),
        ...(item.validUntil ? { validUntil: String(item.validUntil) } : {}),
        // A report about an earlier try's message (a timed-out send Twilio gave up on) is not the sent one's.
        ...(item.delivery && ofSent(item) ? { delivery: String(item.delivery) } : {}),
        ...(item.deliveryError && ofSent(item) ? { deliveryError: String(item.deliveryError) } : {}),
      }));
    },

    async commit({ decision, expectedVersion, cancel, reschedule, inbound, limits = [], claimEmail = null, now }) {
      const at = now.toISOString();
      const items: TransactItem[] = [];
      // Counters first after the dedupe record, so a refusal can be read off its position.
      const limitAt = (i: number) => (inbound ? 1 : 0) + i;
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
      for (const limit of limits) {
        items.push({
          Update: {
            TableName: tableName,
            Key: { PK: limit.key, SK: 'COUNT' },
            UpdateExpression: 'ADD n :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_not_exists(n) OR n < :max',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':max': limit.max, ':ttl': limit.expiresAt },
          },
        });
      }
      const user = decision.user;
      const unprovenTtl = Math.floor(now.getTime() / 1000) + UNPROVEN_SIGNUP_TTL_SECONDS;
      if (user) {
        items.push({
          Put: {
            TableName: tableName,
            Item: { ...fromUser(user), ...(isUnproven(user) ? { ttl: unprovenTtl } : {}) },
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(PK)' }
              : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
          },
        });
      }
      if (user && claimEmail) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              PK: emailPk(claimEmail),
              SK: EMAIL_SK,
              type: 'email',
              userId: user.id,
              at,
              ...(user.email?.address === claimEmail && user.email.status === 'pending' ? { ttl: unprovenTtl } : {}),
            },
            ConditionExpression: 'attribute_not_exists(PK) OR userId = :owner',
            ExpressionAttributeValues: { ':owner': user.id },
          },
        });
      }
      const owner = user?.id;
      if (owner && decision.checkin) {
        const c = decision.checkin;
        items.push({ Put: { TableName: tableName, Item: { PK: userPk(owner), SK: checkinSk(c.at, c.id), type: 'checkin', ...c } } });
      }
      if (owner && decision.painReport) {
        const p = decision.painReport;
        const after = p.checkinId && p.checkinAt ? { id: p.checkinId, at: p.checkinAt } : null;
        items.push({ Put: { TableName: tableName, Item: { PK: userPk(owner), SK: painSk(after, p.at), type: 'pain', ...p } } });
      }
      if (owner && decision.redFlag) {
        // Kept under the leg day it followed, beside its pain reports.
        const r = decision.redFlag;
        const after = r.checkinId && r.checkinAt ? { id: r.checkinId, at: r.checkinAt } : null;
        items.push({ Put: { TableName: tableName, Item: { PK: userPk(owner), SK: redFlagSk(after, r.at), type: 'red-flag', ...r } } });
      }
      if (user) {
        for (const r of decision.reminders) items.push({ Put: { TableName: tableName, Item: reminderItem(user, r, at) } });
        // Moved, not rewritten: attempts, the uncertain mark and the last error stay, so a try that
        // may have been delivered is still looked up before the next one.
        for (const r of reschedule) {
          const due = r.dueAt.toISOString();
          items.push({
            Update: {
              TableName: tableName,
              Key: reminderKey({ userId: user.id, series: r.series, stepId: r.stepId, channel: r.channel }),
              UpdateExpression: 'SET dueAt = :due, gsi1sk = :due, body = :body, tz = :tz, rescheduledAt = :at',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'pending', ':due': due, ':body': r.body, ':tz': r.tz, ':at': at },
            },
          });
        }
      }
      for (const ref of cancel) {
        items.push({ Update: cancelUpdate(tableName, reminderKey(ref), at, 'replaced or opted out') });
      }
      if (owner && decision.consent) {
        const c = decision.consent;
        items.push({ Put: { TableName: tableName, Item: { PK: userPk(owner), SK: consentSk(c.at, c.action, user!.version), type: 'consent', ...c } } });
      }
      if (items.length === 0) return { outcome: 'ok' };
      try {
        if (items.length === 1 && items[0]!.Put) {
          await db.send(new PutCommand(items[0]!.Put));
        } else {
          await db.send(new TransactWriteCommand({ TransactItems: items }));
        }
        return { outcome: 'ok' };
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === null) throw err;
        // The dedupe record is always first: its condition failing means "seen before".
        if (inbound && reasons[0] === 'ConditionalCheckFailed') return { outcome: 'duplicate' };
        const full = limits.findIndex((_, i) => reasons[limitAt(i)] === 'ConditionalCheckFailed');
        if (full >= 0) return { outcome: 'limited', limit: limits[full]!.name };
        return { outcome: 'conflict' };
      }
    },

    async inboundReply(messageSid) {
      const res = await db.send(
        new GetCommand({ TableName: tableName, Key: { PK: inboundPk(messageSid), SK: INBOUND_SK }, ConsistentRead: true }),
      );
      if (!res.Item) return undefined;
      return readReply(res.Item.reply, messageSid);
    },

    async replyPending(messageSid) {
      const res = await db.send(
        new GetCommand({ TableName: tableName, Key: { PK: inboundPk(messageSid), SK: INBOUND_SK }, ConsistentRead: true }),
      );
      const reply = res.Item && !res.Item.replySentAt ? readReply(res.Item.reply, messageSid) : null;
      return reply ? { reply } : null;
    },

    async markReplySent(messageSid, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: inboundPk(messageSid), SK: INBOUND_SK },
          UpdateExpression: 'SET replySentAt = :at',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    },

    async findDueReminders(now, limit) {
      const until = now.toISOString();
      const perShard = await Promise.all(
        Array.from({ length: DUE_SHARDS }, (_, i) => queryShard(db, tableName, `DUE#${i}`, until, limit)),
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
              ExpressionAttributeValues: { ':shard': `DUE#${i}`, ':until': until.toISOString() },
              ProjectionExpression: 'gsi1sk',
              Limit: 1,
            }),
          );
          return res.Items?.[0] ? String(res.Items[0].gsi1sk) : null;
        }),
      );
      const found = firsts.filter((f): f is string => f !== null).sort()[0];
      return found ? new Date(found) : null;
    },

    async expire(ref, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: reminderKey(ref),
            UpdateExpression: 'SET #status = :expired, expiredAt = :at REMOVE gsi1pk, gsi1sk, claimUntil, claimToken',
            // As read: a claim, a cancel or a deferral that came first stands.
            ConditionExpression: 'gsi1sk = :seen AND #status IN (:pending, :sending)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':expired': 'expired', ':at': at.toISOString(), ':seen': ref.dueKey, ':pending': 'pending', ':sending': 'sending' },
          }),
        );
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      }
    },

    async recordDelivery(report) {
      const rank = DELIVERY_RANK[report.status] ?? 0;
      try {
        await db.send(
          new UpdateCommand({
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
          }),
        );
        return true;
      } catch (err) {
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
        return false;
      }
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
      const item = res.Item ?? {};
      const sid = item.providerId ?? item.deliverySid;
      return {
        report:
          sid && item.delivery && (!item.deliverySid || item.deliverySid === sid)
            ? { providerId: String(sid), status: String(item.delivery), errorCode: item.deliveryError ? String(item.deliveryError) : null }
            : null,
        firstTriedAt: item.firstTriedAt ? new Date(String(item.firstTriedAt)) : null,
      };
    },

    async defer(ref, until) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: reminderKey(ref),
            UpdateExpression: 'SET gsi1sk = :until',
            ConditionExpression: 'gsi1sk = :seen',
            ExpressionAttributeValues: { ':until': until.toISOString(), ':seen': ref.dueKey },
          }),
        );
      } catch (err) {
        // Someone else moved it first (a claim, a cancel): theirs stands.
        if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      }
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
          const until = held.Item?.until ? new Date(String(held.Item.until)) : new Date(now.getTime() + slotMs);
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

async function queryShard(
  db: DynamoDBDocumentClient,
  tableName: string,
  shard: string,
  until: string,
  limit: number,
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
      const parsed = parseReminderSk(String(item.SK));
      if (!parsed) continue;
      const userId = String(item.PK).slice('USER#'.length);
      out.push({
        userId,
        ...parsed,
        // Reminders from before email existed carry neither: they are texts to the key's number.
        to: String(item.to ?? userId),
        attempts: Number(item.attempts ?? 0),
        dueKey: String(item.gsi1sk),
        tz: String(item.tz ?? 'UTC'),
        // Taking over a claim that expired: its holder may have sent before it died.
        uncertain: item.uncertain === true || item.status === 'sending',
        // Reminders from before due times were projected: the index key is the best guess.
        dueAt: String(item.dueAt ?? item.gsi1sk),
        ...(item.validUntil ? { validUntil: String(item.validUntil) } : {}),
        ...readReminderMessage(parsed.channel, item.body),
      });
    }
    start = res.LastEvaluatedKey;
  } while (start && out.length < limit);
  return out;
}

/** Whether the stored delivery report is about the message recorded as sent (not an earlier try's). */
function ofSent(item: Record<string, unknown>): boolean {
  return !item.deliverySid || !item.providerId || item.deliverySid === item.providerId;
}

/** Twilio's message states in the order they happen: a report never moves a message backwards. */
const DELIVERY_RANK: Record<string, number> = {
  accepted: 1,
  scheduled: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  delivered: 5,
  read: 6,
  undelivered: 6,
  failed: 6,
  canceled: 6,
  // SES: a bounce is final; a complaint comes after delivery.
  bounced: 6,
  complained: 7,
};

function cancellationReasons(err: unknown): string[] | null {
  const e = err as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name === 'ConditionalCheckFailedException') return ['ConditionalCheckFailed'];
  if (e?.name !== 'TransactionCanceledException') return null;
  return (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

function fromUser(u: UserState) {
  return {
    PK: userPk(u.id),
    SK: PROFILE_SK,
    type: 'user',
    id: u.id,
    phone: u.phone ?? undefined,
    status: u.status,
    email: u.email ?? undefined,
    // Top-level copy for the sweeper's claim condition on email reminders.
    emailStatus: u.email?.status,
    enrolledAt: u.enrolledAt,
    timezone: u.timezone,
    recent: u.recent,
    painTrack: u.painTrack ?? undefined,
    pause: u.pause ?? undefined,
    // Top-level copies for the sweeper's claim condition.
    lastCheckinId: u.recent[0]?.id,
    lastCheckinAt: u.recent[0]?.at,
    painTrackId: u.painTrack?.id,
    version: u.version,
  };
}

function readPause(value: unknown): UserState['pause'] {
  if (!value || typeof value !== 'object') return null;
  const { from, until } = value as Record<string, unknown>;
  if (typeof from !== 'string' || typeof until !== 'string') throw new Error('a stored pause has no from/until');
  return { from, until };
}

const USER_STATUSES = new Set(['active', 'opted_out', 'unreachable', 'pending']);

function toUser(item: Record<string, unknown>): UserState {
  const phone = typeof item.phone === 'string' ? item.phone : null;
  return {
    // Profiles written before email existed have no id: their key is the phone.
    id: String(item.id ?? phone),
    phone,
    status: USER_STATUSES.has(String(item.status)) ? (item.status as UserState['status']) : 'active',
    email: item.email ? (item.email as EmailContact) : null,
    enrolledAt: String(item.enrolledAt),
    timezone: String(item.timezone ?? 'UTC'),
    recent: Array.isArray(item.recent) ? (item.recent as CheckinSummary[]) : [],
    painTrack: item.painTrack ? (item.painTrack as PainTrack) : null,
    pause: readPause(item.pause),
    version: Number(item.version ?? 0),
  };
}
