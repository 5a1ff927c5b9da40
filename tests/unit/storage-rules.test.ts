import { describe, expect, it } from 'vitest';
import { dueShard } from '../../src/adapters/dynamo/keys.ts';
import {
  consentRecord,
  dueReminder,
  expiredWhenPlanned,
  historyRecords,
  inboundTtl,
  ownerTtl,
  pendingRef,
  profileTtl,
  reminderAddress,
  sendRecord,
  unprovenTtl,
} from '../../src/adapters/storage-rules.ts';
import type { NewReminder } from '../../src/core/plan.ts';
import type { UserState } from '../../src/core/user.ts';

/** The rules both stores write by (tests/contracts runs the stores themselves). */

const now = new Date('2026-03-02T18:00:00.900Z');
const epoch = Math.floor(now.getTime() / 1000);
const day = 24 * 3600;

const user = (over: Partial<UserState> = {}): UserState => ({
  id: '+15551234567',
  phone: '+15551234567',
  status: 'pending',
  email: null,
  enrolledAt: now.toISOString(),
  timezone: 'UTC',
  recent: [],
  painTrack: null,
  pause: null,
  version: 3,
  ...over,
});

describe('storage rules', () => {
  it('TTLs: a dedupe record lives a week; an unproven sign-up 8 days, and only while nothing is proven', () => {
    expect(inboundTtl(now)).toBe(epoch + 7 * day);
    expect(unprovenTtl(now)).toBe(epoch + 8 * day);
    expect(profileTtl(user(), now)).toBe(epoch + 8 * day);
    expect(profileTtl(user({ email: { address: 'a@x.com', status: 'pending' } }), now)).toBe(epoch + 8 * day);
    expect(profileTtl(user({ status: 'active' }), now)).toBeUndefined();
    expect(profileTtl(user({ phone: null, email: { address: 'a@x.com', status: 'confirmed' } }), now)).toBeUndefined();
    expect(profileTtl(user({ recent: [{ id: 'c1', at: now.toISOString(), lifts: [], pain: [] }] }), now)).toBeUndefined();
  });

  it('an owner record expires only with the still-pending address it names', () => {
    expect(ownerTtl(user({ email: { address: 'a@x.com', status: 'pending' } }), 'a@x.com', now)).toBe(epoch + 8 * day);
    expect(ownerTtl(user({ email: { address: 'a@x.com', status: 'confirmed' } }), 'a@x.com', now)).toBeUndefined();
    expect(ownerTtl(user({ email: { address: 'b@x.com', status: 'pending' } }), 'a@x.com', now)).toBeUndefined();
  });

  it('files a leg day, and pain and warning signs under the leg day they followed (or on their own)', () => {
    const checkin = { id: 'c1', at: '2026-03-02T17:00:00.000Z', text: 'legs done', details: '', lifts: [] };
    const painReport = { at: '2026-03-03T09:00:00.000Z', score: 4, text: 'pain 4', checkinId: 'c1', checkinAt: checkin.at };
    const redFlag = { at: '2026-03-03T10:00:00.000Z', tier: 'soon' as const, signs: ['fever'], text: 'fever', checkinId: null, checkinAt: null };
    expect(historyRecords({ checkin, painReport, redFlag })).toEqual([
      { sk: `CHECKIN#${checkin.at}#c1`, record: { type: 'checkin', ...checkin } },
      { sk: `CHECKIN#${checkin.at}#c1#PAIN#${painReport.at}`, record: { type: 'pain', ...painReport } },
      { sk: `REDFLAG#${redFlag.at}`, record: { type: 'red-flag', ...redFlag } },
    ]);
    expect(historyRecords({ checkin: null, painReport: null, redFlag: null })).toEqual([]);
    const consent = { action: 'opt-out' as const, at: now.toISOString(), via: 'keyword', text: 'STOP' };
    expect(consentRecord(consent, 7)).toEqual({ sk: `CONSENT#${now.toISOString()}#7#opt-out`, record: { type: 'consent', ...consent } });
  });

  it('a pending reminder goes when its due key says (a retry or deferral moved it), else when planned', () => {
    const r = { series: 'c1', stepId: 'heat', channel: 'sms' as const, attempts: 1, dueAt: 'planned' };
    expect(pendingRef('u', { ...r, dueKey: 'moved' })).toEqual({ userId: 'u', series: 'c1', stepId: 'heat', channel: 'sms', attempts: 1, dueAt: 'moved' });
    expect(pendingRef('u', r).dueAt).toBe('planned');
  });

  it('a due reminder: an expired claim taken over is uncertain; no window, no validUntil', () => {
    const r = { userId: 'u', series: 'c1', stepId: 'heat', to: '+1555', attempts: 0, dueKey: 'k', tz: 'UTC', status: 'pending' as const, dueAt: 'd', validUntil: 'v' };
    const text = { channel: 'sms' as const, vars: {} };
    expect(dueReminder(r, text)).toEqual({ ...r, status: undefined, uncertain: false, ...text });
    expect(dueReminder({ ...r, status: 'sending' }, text).uncertain).toBe(true);
    expect(dueReminder({ ...r, uncertain: true }, text).uncertain).toBe(true);
    const bare = dueReminder({ ...r, to: undefined, validUntil: undefined }, { channel: 'email', vars: {}, stored: null });
    expect(bare).not.toHaveProperty('validUntil');
    expect(bare).toMatchObject({ to: '', channel: 'email', vars: {}, stored: null });
  });

  it('a send record reports only on the reminder’s own message', () => {
    expect(sendRecord(undefined)).toEqual({ report: null, firstTriedAt: null });
    expect(sendRecord({ providerId: 'SM1', delivery: 'delivered', firstTriedAt: now.toISOString() })).toEqual({
      report: { providerId: 'SM1', status: 'delivered', errorCode: null },
      firstTriedAt: now,
    });
    // Before a send is recorded, the message a report named is the one to look up.
    expect(sendRecord({ deliverySid: 'SM2', delivery: 'failed', deliveryError: '30006' }).report).toEqual({ providerId: 'SM2', status: 'failed', errorCode: '30006' });
    // A report about an earlier try is not about the sent message.
    expect(sendRecord({ providerId: 'SM1', deliverySid: 'SM0', delivery: 'failed' }).report).toBeNull();
    expect(sendRecord({ providerId: 'SM1' }).report).toBeNull();
  });

  it('a new reminder: expired when planned at or past the end of its window; addressed to the channel’s contact', () => {
    const planned = (dueAt: string, validUntil: string): NewReminder =>
      ({ channel: 'sms', vars: {}, series: 'c1', stepId: 'heat', tz: 'UTC', dueAt: new Date(dueAt), validUntil: new Date(validUntil) });
    expect(expiredWhenPlanned(planned('2026-03-03T09:00:00Z', '2026-03-03T10:00:00Z'))).toBe(false);
    expect(expiredWhenPlanned(planned('2026-03-03T10:00:00Z', '2026-03-03T10:00:00Z'))).toBe(true);
    const both = user({ email: { address: 'a@x.com', status: 'confirmed' } });
    expect(reminderAddress(both, 'sms')).toBe('+15551234567');
    expect(reminderAddress(both, 'email')).toBe('a@x.com');
    expect(reminderAddress(user(), 'email')).toBeUndefined();
  });

  it('an email step is sharded as its key names it (email#step), a text by its step alone: stored reminders keep their shard', () => {
    expect(dueShard('u', 'c1', 'heat', 'email')).toBe(dueShard('u', 'c1', 'email#heat'));
    expect(dueShard('u', 'c1', 'heat', 'sms')).toBe(dueShard('u', 'c1', 'heat'));
    expect(dueShard('+15551234567', 'c1', 'heat')).toMatch(/^DUE#[0-7]$/);
    // Pinned: a changed hash would strand reminders already in the index on shards no sweep reads.
    expect([dueShard('+15551234567', 'c1', 'heat'), dueShard('+15551234567', 'c1', 'heat', 'email')]).toEqual(['DUE#4', 'DUE#5']);
  });
});
