import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UserState } from '../../core/user.ts';
import type { UserRepository } from '../../use-cases/ports.ts';
import { EMAIL_SK, PROFILE_SK, emailPk, userPk } from './keys.ts';
import { parseOwner, parseUser } from './items.ts';

export function createDynamoUsers(db: DynamoDBDocumentClient, tableName: string): UserRepository {
  return {
    async getUser(userId) {
      const res = await db.send(new GetCommand({ TableName: tableName, Key: { PK: userPk(userId), SK: PROFILE_SK }, ConsistentRead: true }));
      return res.Item ? parseUser(res.Item) : null;
    },

    async emailOwner(address) {
      const res = await db.send(new GetCommand({ TableName: tableName, Key: { PK: emailPk(address), SK: EMAIL_SK }, ConsistentRead: true }));
      return res.Item ? parseOwner(res.Item).userId : null;
    },
  };
}

/** A profile as written (parseUser reads it back). */
export function userItem(u: UserState) {
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

/** An address's owner record as written (parseOwner reads it back). */
export const ownerItem = (address: string, userId: string, at: string, ttl?: number) => ({
  PK: emailPk(address),
  SK: EMAIL_SK,
  type: 'email',
  userId,
  at,
  ...(ttl === undefined ? {} : { ttl }),
});
