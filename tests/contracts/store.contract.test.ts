import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NewReminder, StepVars } from '../../src/core/plan.ts';
import type { EmailContent } from '../../src/content/email.ts';
import type { Reply } from '../../src/core/channel.ts';
import { nothing } from '../../src/core/decision.ts';
import { emailUserId, type UserState } from '../../src/core/user.ts';
import { createDynamoClient, documentClient } from '../../src/adapters/dynamo/client.ts';
import { createDynamoStore } from '../../src/adapters/dynamo/store.ts';
import { rateKey } from '../../src/adapters/dynamo/keys.ts';
import { reminderKey } from '../../src/adapters/dynamo/reminders.ts';
import { ensureTable } from '../../src/adapters/dynamo/table.ts';
import { createMemoryStore, type Written } from '../../src/adapters/memory/store.ts';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { userPk } from '../../src/adapters/dynamo/keys.ts';
import type { DecisionChange, DueReminder, RateLimit, Store } from '../../src/use-cases/ports.ts';

/**
 * One contract, two implementations: every test runs against the DynamoDB repositories (on
 * DynamoDB Local) and the in-memory ones, so the double the use-case tests run on cannot drift.
 */

const T0 = new Date('2026-03-02T18:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** Gives a stored reminder the words a version from before send-time wording planned it with, as a deployed table may hold them. */
type OldWords = (ref: { userId: string; series: string; stepId: string; channel: 'sms' | 'email' }, words: unknown) => Promise<void>;

const implementations: [string, () => Promise<{ store: Store; oldWords: OldWords }>][] = [
  [
    'dynamodb',
    async () => {
      const raw = createDynamoClient({ region: 'us-east-1', endpoint: inject('dynamoEndpoint') });
      cleanups.push(() => raw.destroy());
      const table = `contract-${randomUUID().slice(0, 8)}`;
      await ensureTable(raw, table);
      const db = documentClient(raw);
      const oldWords: OldWords = async (ref, words) => {
        await db.send(new UpdateCommand({ TableName: table, Key: reminderKey(ref), UpdateExpression: 'SET body = :b', ExpressionAttributeValues: { ':b': words } }));
      };
      return { store: createDynamoStore(db, table), oldWords };
    },
  ],
  [
    'memory',
    async () => {
      const store = createMemoryStore();
      const oldWords: OldWords = async (ref, words) => {
        const found = [...store.state.reminders.values()].find((r) => r.userId === ref.userId && r.series === ref.series && r.stepId === ref.stepId && r.channel === ref.channel);
        (found as { body?: unknown }).body = words;
      };
      return { store, oldWords };
    },
  ],
];

let n = 0;
const phone = () => `+1555${String(++n).padStart(7, '0')}`;

function userOf(id: string, over: Partial<UserState> = {}): UserState {
  return {
    id,
    phone: id.startsWith('email:') ? null : id,
    status: 'active',
    email: null,
    enrolledAt: T0.toISOString(),
    timezone: 'America/New_York',
    recent: [{ id: 'c1', at: T0.toISOString(), lifts: [{ lift: 'squat', weight: 100, unit: 'kg' }], pain: [] }],
    painTrack: null,
    pause: null,
    version: 1,
    ...over,
  };
}

/** An email's words, typed: stored as a map and read back as the same content. */
const emailBody = (stepId: string): EmailContent => ({ subject: `About ${stepId}`, intro: ['Leg day done.'], list: ['Ice 15 min', 'Walk'], outro: [`step ${stepId}`] });

function reminder(stepId: string, dueMinutes: number, over: { series?: string; validUntil?: Date; tz?: string; channel?: 'sms' | 'email'; vars?: StepVars } = {}): NewReminder {
  return { series: 'c1', stepId, channel: 'sms', vars: {}, dueAt: at(dueMinutes), tz: 'America/New_York', validUntil: at(dueMinutes + 600), ...over };
}

/** A warm-up text's load rule, as the plan decides it. */
const deload: StepVars = { load: { kind: 'deload', deload: null } };

const text = (words: string): Reply => ({ channel: 'sms', text: words });

const change = (user: UserState | null, over: Partial<DecisionChange> = {}): DecisionChange => ({
  decision: { ...nothing, user },
  expectedVersion: null,
  cancel: [],
  reschedule: [],
  inbound: null,
  now: T0,
  ...over,
});

const limit = (key: string, max: number, name = 'test'): RateLimit => ({ name, key, max, expiresAt: Math.floor(T0.getTime() / 1000) + 3600 });

/** A user with reminders, stored. */
async function seed(store: Store, reminders: NewReminder[], over: Partial<UserState> = {}) {
  const user = userOf(phone(), over);
  expect(await store.commit(change(user, { decision: { ...nothing, user, reminders } }))).toEqual({ outcome: 'ok' });
  return user;
}

async function dueOf(store: Store, userId: string, now: Date): Promise<DueReminder[]> {
  return (await store.findDueReminders(now, 1000)).filter((r) => r.userId === userId);
}

describe.each(implementations)('store contract: %s', (_name, make) => {
  let store: Store;
  let oldWords: OldWords;
  beforeAll(async () => {
    ({ store, oldWords } = await make());
  });

  describe('users and the unit of work', () => {
    it('creates a profile only where none exists, then updates it only at the version read', async () => {
      const u = userOf(phone());
      expect(await store.getUser(u.id)).toBeNull();
      expect(await store.commit(change(u))).toEqual({ outcome: 'ok' });
      expect(await store.getUser(u.id)).toEqual(u);
      expect(await store.commit(change({ ...u, timezone: 'UTC' }))).toEqual({ outcome: 'conflict' });
      expect(await store.commit(change({ ...u, timezone: 'UTC', version: 2 }, { expectedVersion: 7 }))).toEqual({ outcome: 'conflict' });
      expect(await store.commit(change({ ...u, timezone: 'UTC', version: 2 }, { expectedVersion: 1 }))).toEqual({ outcome: 'ok' });
      expect(await store.getUser(u.id)).toMatchObject({ timezone: 'UTC', version: 2 });
    });

    it('keeps every field of a profile as written (email, pain track, pause)', async () => {
      const u = userOf(phone(), {
        email: { address: `${randomUUID()}@example.com`, status: 'confirmed' },
        painTrack: { id: 'p1', startedAt: T0.toISOString(), scores: [7, 6] },
        pause: { from: T0.toISOString(), until: at(600).toISOString() },
      });
      await store.commit(change(u));
      expect(await store.getUser(u.id)).toEqual(u);
    });

    it('claims an address for one owner; a claim on someone else’s address refuses the whole write', async () => {
      const address = `${randomUUID()}@example.com`;
      const a = userOf(phone(), { email: { address, status: 'pending' } });
      const b = userOf(phone(), { email: { address, status: 'pending' } });
      expect(await store.emailOwner(address)).toBeNull();
      expect(await store.commit(change(a, { claimEmail: address }))).toEqual({ outcome: 'ok' });
      expect(await store.emailOwner(address)).toBe(a.id);
      expect(await store.commit(change(b, { claimEmail: address, inbound: { messageSid: `SM${randomUUID()}`, reply: text('x') } }))).toEqual({ outcome: 'conflict' });
      expect(await store.getUser(b.id)).toBeNull();
      // The owner may claim it again (a re-sent confirmation).
      expect(await store.commit(change({ ...a, version: 2 }, { claimEmail: address, expectedVersion: 1 }))).toEqual({ outcome: 'ok' });
      expect(await store.emailOwner(address)).toBe(a.id);
    });

    it('a decision with nothing to write is ok and writes nothing', async () => {
      expect(await store.commit(change(null))).toEqual({ outcome: 'ok' });
    });
  });

  describe('inbound records (dedupe)', () => {
    it('remembers the reply to a handled message and refuses it a second time', async () => {
      const sid = `SM${randomUUID()}`;
      expect(await store.inboundReply(sid)).toBeUndefined();
      const u = userOf(phone());
      expect(await store.commit(change(u, { inbound: { messageSid: sid, reply: text('Logged.') } }))).toEqual({ outcome: 'ok' });
      expect(await store.inboundReply(sid)).toEqual(text('Logged.'));
      expect(await store.commit(change({ ...u, version: 2 }, { inbound: { messageSid: sid, reply: text('again') }, expectedVersion: 1 }))).toEqual({ outcome: 'duplicate' });
      expect(await store.getUser(u.id)).toMatchObject({ version: 1 });
      expect(await store.inboundReply(sid)).toEqual(text('Logged.'));
    });

    it('a message handled with no reply reads as null, not unseen', async () => {
      const sid = `SM${randomUUID()}`;
      expect(await store.commit(change(null, { inbound: { messageSid: sid, reply: null } }))).toEqual({ outcome: 'ok' });
      expect(await store.inboundReply(sid)).toBeNull();
      expect(await store.replyPending(sid)).toBeNull();
    });

    it('an email reply is pending until marked sent, and comes back as the same typed content', async () => {
      const sid = `ses:${randomUUID()}`;
      const reply: Reply = { channel: 'email', content: emailBody('reply') };
      await store.commit(change(null, { inbound: { messageSid: sid, reply } }));
      expect(await store.replyPending(sid)).toEqual({ reply });
      await store.markReplySent(sid, at(1));
      expect(await store.replyPending(sid)).toBeNull();
      expect(await store.replyPending(`ses:${randomUUID()}`)).toBeNull();
      await expect(store.markReplySent(`ses:${randomUUID()}`, at(1))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });
  });

  describe('rate-limit counters', () => {
    it('count each write and refuse the whole write once one is full, naming it', async () => {
      const key = rateKey('contract', randomUUID());
      const other = rateKey('contract', randomUUID());
      for (let i = 0; i < 2; i++) {
        expect(await store.commit(change(userOf(phone()), { limits: [limit(other, 10, 'roomy'), limit(key, 2, 'tight')] }))).toEqual({ outcome: 'ok' });
      }
      const sid = `SM${randomUUID()}`;
      const refused = userOf(phone());
      expect(await store.commit(change(refused, { inbound: { messageSid: sid, reply: text('x') }, limits: [limit(other, 10, 'roomy'), limit(key, 2, 'tight')] }))).toEqual({
        outcome: 'limited',
        limit: 'tight',
      });
      // Nothing of it was written: no profile, no dedupe record, and the roomy counter did not move.
      expect(await store.getUser(refused.id)).toBeNull();
      expect(await store.inboundReply(sid)).toBeUndefined();
      for (let i = 0; i < 8; i++) expect((await store.commit(change(null, { limits: [limit(other, 10)] }))).outcome).toBe('ok');
      expect(await store.commit(change(null, { limits: [limit(other, 10, 'roomy')] }))).toEqual({ outcome: 'limited', limit: 'roomy' });
    });

    it('a duplicate is reported as a duplicate even when a limit is full', async () => {
      const key = rateKey('contract', randomUUID());
      const sid = `SM${randomUUID()}`;
      await store.commit(change(null, { inbound: { messageSid: sid, reply: text('r') }, limits: [limit(key, 1)] }));
      expect(await store.commit(change(null, { inbound: { messageSid: sid, reply: text('r') }, limits: [limit(key, 1)] }))).toEqual({ outcome: 'duplicate' });
    });
  });

  describe('link requests', () => {
    it('open, asked once, then closed by the link, which moves the address in one write', async () => {
      const address = `${randomUUID()}@example.com`;
      const emailOnly = userOf(emailUserId(address), { email: { address, status: 'confirmed' }, status: 'pending', recent: [] });
      await store.commit(change(emailOnly, { claimEmail: address }));
      const p = userOf(phone());
      await store.commit(change(p));

      expect(await store.linkRequest(p.id)).toBeNull();
      expect(await store.markLinkAsked(p.id)).toBe(false);
      await store.requestLink({ phone: p.id, address, status: 'requested', at: T0.toISOString() }, T0);
      expect(await store.linkRequest(p.id)).toEqual({ phone: p.id, address, status: 'requested', at: T0.toISOString() });
      expect(await store.markLinkAsked(p.id)).toBe(true);
      expect(await store.markLinkAsked(p.id)).toBe(false);
      expect(await store.linkRequest(p.id)).toMatchObject({ status: 'asked' });

      const consent = { action: 'opt-in' as const, at: at(5).toISOString(), via: 'link', text: 'YES', channel: 'email' as const };
      const linked = { ...p, email: { address, status: 'confirmed' as const }, version: 2 };
      const given = { ...emailOnly, email: null, version: 2 };
      const sid = `SM${randomUUID()}`;
      const link = { phoneUser: linked, emailUser: given, address, consent, inbound: { messageSid: sid, reply: text('Linked.') }, now: at(5) };
      expect(await store.commitLink({ ...link, expected: { phone: 1, email: 7 } })).toBe('conflict');
      expect(await store.emailOwner(address)).toBe(emailOnly.id);
      expect(await store.inboundReply(sid)).toBeUndefined();
      expect(await store.commitLink({ ...link, expected: { phone: 1, email: 1 } })).toBe('ok');
      expect(await store.emailOwner(address)).toBe(p.id);
      expect(await store.getUser(p.id)).toEqual(linked);
      expect(await store.getUser(emailOnly.id)).toEqual(given);
      expect(await store.linkRequest(p.id)).toBeNull();
      expect(await store.inboundReply(sid)).toEqual(text('Linked.'));
      expect(await store.commitLink({ ...link, expected: { phone: 2, email: 2 } })).toBe('duplicate');
    });
  });

  describe('reminders', () => {
    it('stored with the decision: pending in key order, listed in any state; one past its window is expired and never due', async () => {
      const u = await seed(store, [reminder('b', 10), reminder('a', 20), reminder('late', 30, { validUntil: at(30) }), reminder('e', 15, { channel: 'email' })], {
        email: { address: `${randomUUID()}@example.com`, status: 'confirmed' },
      });
      expect((await store.pendingReminders(u.id, 'c1')).map((r) => [r.stepId, r.channel, r.dueAt, r.attempts])).toEqual([
        ['a', 'sms', at(20).toISOString(), 0],
        ['b', 'sms', at(10).toISOString(), 0],
        ['e', 'email', at(15).toISOString(), 0],
      ]);
      expect(await store.pendingReminders(u.id, 'other')).toEqual([]);
      const list = await store.listReminders(u.id, 'c1');
      expect(list.map((r) => [r.stepId, r.status])).toEqual([
        ['a', 'pending'],
        ['b', 'pending'],
        ['e', 'pending'],
        ['late', 'expired'],
      ]);
      expect(list[0]).toEqual({ stepId: 'a', channel: 'sms', dueAt: at(20).toISOString(), status: 'pending', validUntil: at(620).toISOString() });
      expect((await dueOf(store, u.id, at(60))).map((r) => r.stepId)).toEqual(['b', 'e', 'a']);
    });

    it('a reminder is due with what its step says, unworded, as planned', async () => {
      const u = await seed(store, [reminder('mail', 1, { channel: 'email', vars: deload }), reminder('text', 1, { vars: deload })], {
        email: { address: `${randomUUID()}@example.com`, status: 'confirmed' },
      });
      const due = await dueOf(store, u.id, at(2));
      expect(due.find((r) => r.channel === 'email')).toMatchObject({ stepId: 'mail', vars: deload, to: u.email!.address });
      expect(due.find((r) => r.channel === 'sms')).toMatchObject({ stepId: 'text', vars: deload, to: u.phone });
      for (const r of due) expect(r).not.toHaveProperty('stored');
    });

    it('a reminder planned before wording moved to send time is due with the words it was planned with', async () => {
      const u = await seed(store, [reminder('text', 1), reminder('map', 1, { channel: 'email' }), reminder('json', 2, { channel: 'email' }), reminder('junk', 3, { channel: 'email' })], {
        email: { address: `${randomUUID()}@example.com`, status: 'confirmed' },
      });
      const ref = (stepId: string, channel: 'sms' | 'email') => ({ userId: u.id, series: 'c1', stepId, channel });
      await oldWords(ref('text', 'sms'), 'Ice it 15 min.');
      await oldWords(ref('map', 'email'), emailBody('map'));
      await oldWords(ref('json', 'email'), JSON.stringify(emailBody('json')));
      await oldWords(ref('junk', 'email'), 'not json');
      const due = Object.fromEntries((await dueOf(store, u.id, at(5))).map((r) => [r.stepId, r]));
      expect(due['text']).toMatchObject({ channel: 'sms', vars: {}, stored: 'Ice it 15 min.' });
      expect(due['map']).toMatchObject({ channel: 'email', vars: {}, stored: emailBody('map') });
      expect(due['json']).toMatchObject({ channel: 'email', vars: {}, stored: emailBody('json') });
      // The sweeper records it as failed, with the reason.
      expect(due['junk']).toMatchObject({ channel: 'email', vars: {}, stored: null });
    });

    it('rescheduled, one planned before says what the new plan says, and is worded when sent', async () => {
      const u = await seed(store, [reminder('old', 1), reminder('plain', 2)]);
      for (const stepId of ['old', 'plain']) await oldWords({ userId: u.id, series: 'c1', stepId, channel: 'sms' }, 'Old words.');
      const reschedule = [reminder('old', 30, { vars: deload }), reminder('plain', 31)];
      expect(await store.commit(change({ ...u, version: 2 }, { expectedVersion: 1, reschedule }))).toEqual({ outcome: 'ok' });
      const due = await dueOf(store, u.id, at(31));
      expect(due.map((r) => [r.stepId, r.vars, r.dueKey])).toEqual([
        ['old', deload, at(30).toISOString()],
        ['plain', {}, at(31).toISOString()],
      ]);
      for (const r of due) expect(r).not.toHaveProperty('stored');
    });

    it('the due index: only what is due by then, earliest first, up to the limit, with what the sweeper needs', async () => {
      const u = await seed(store, [reminder('x', 3), reminder('y', 1), reminder('z', 2), reminder('later', 100)]);
      const v = await seed(store, [reminder('w', 2.5)]);
      const due = (await store.findDueReminders(at(5), 1000)).filter((r) => r.userId === u.id || r.userId === v.id);
      expect(due.map((r) => r.stepId)).toEqual(['y', 'z', 'w', 'x']);
      expect(due[0]).toEqual({
        userId: u.id,
        channel: 'sms',
        series: 'c1',
        stepId: 'y',
        attempts: 0,
        to: u.phone,
        dueKey: at(1).toISOString(),
        vars: {},
        tz: 'America/New_York',
        uncertain: false,
        dueAt: at(1).toISOString(),
        validUntil: at(601).toISOString(),
      });
      const all = await store.findDueReminders(at(5), 1000);
      expect(all.map((r) => r.dueKey)).toEqual([...all.map((r) => r.dueKey)].sort());
      expect(await store.findDueReminders(at(5), 2)).toHaveLength(2);
      expect((await store.nextDueAt(at(1000)))!.getTime()).toBeLessThanOrEqual(at(1).getTime());
      expect(await store.nextDueAt(new Date('2000-01-01T00:00:00Z'))).toBeNull();
    });

    it('a claim is held by one sweeper; sent, it leaves the due index; a lost claim cannot finish', async () => {
      const u = await seed(store, [reminder('s', 1)]);
      const [ref] = await dueOf(store, u.id, at(5));
      expect(await store.claimReminder(ref!, at(5), at(7), 'tok-1')).toEqual({ outcome: 'claimed', token: 'tok-1', attempts: 1 });
      expect(await store.claimReminder(ref!, at(5), at(7), 'tok-2')).toEqual({ outcome: 'taken' });
      await expect(store.markSent(ref!, 'tok-2', at(5), 'SMother')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      await store.markSent(ref!, 'tok-1', at(5), 'SM1', 240);
      expect(await dueOf(store, u.id, at(60))).toEqual([]);
      expect((await store.listReminders(u.id, 'c1'))[0]).toMatchObject({ status: 'sent', sentAt: at(5).toISOString(), dueAt: at(1).toISOString() });
      expect(await store.sendRecord(ref!)).toEqual({ report: null, firstTriedAt: at(5) });
      await expect(store.markSent(ref!, 'tok-1', at(6), 'SM1')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('a claim that ran out can be taken over, and the next reader is told an earlier try may have gone', async () => {
      const u = await seed(store, [reminder('s', 1)]);
      const [ref] = await dueOf(store, u.id, at(5));
      await store.claimReminder(ref!, at(5), at(7), 'dead');
      expect(await dueOf(store, u.id, at(6))).toEqual([]);
      const [again] = await dueOf(store, u.id, at(8));
      expect(again).toMatchObject({ attempts: 1, uncertain: true, dueKey: at(7).toISOString() });
      // Read before the takeover: the attempts seen no longer match.
      expect(await store.claimReminder(ref!, at(8), at(10), 'stale')).toEqual({ outcome: 'taken' });
      expect(await store.claimReminder(again!, at(8), at(10), 'live')).toEqual({ outcome: 'claimed', token: 'live', attempts: 2 });
      expect((await store.sendRecord(again!)).firstTriedAt).toEqual(at(5));
    });

    it('not yet due cannot be claimed', async () => {
      const u = await seed(store, [reminder('s', 30)]);
      const [ref] = await dueOf(store, u.id, at(60));
      expect(await store.claimReminder(ref!, at(5), at(7), 't')).toEqual({ outcome: 'taken' });
    });

    it('obsolete once the person opts out, or logs a newer leg day', async () => {
      const u = await seed(store, [reminder('s', 1)]);
      const [ref] = await dueOf(store, u.id, at(5));
      await store.commit(change({ ...u, status: 'opted_out', version: 2 }, { expectedVersion: 1 }));
      expect(await store.claimReminder(ref!, at(5), at(7), 't')).toEqual({ outcome: 'obsolete' });
      const v = await seed(store, [reminder('s', 1)]);
      const [ref2] = await dueOf(store, v.id, at(5));
      const newer = { ...v, recent: [{ id: 'c2', at: at(2).toISOString(), lifts: [], pain: [] }, ...v.recent], version: 2 };
      await store.commit(change(newer, { expectedVersion: 1 }));
      expect(await store.claimReminder(ref2!, at(5), at(7), 't')).toEqual({ outcome: 'obsolete' });
      // A pain track's reminders stay current while the track is.
      const w = await seed(store, [reminder('p', 1, { series: 'track' })], { painTrack: { id: 'track', startedAt: T0.toISOString(), scores: [8] } });
      const [ref3] = await dueOf(store, w.id, at(5));
      expect(await store.claimReminder(ref3!, at(5), at(7), 't')).toMatchObject({ outcome: 'claimed' });
    });

    it('an email goes only to a confirmed address', async () => {
      const address = `${randomUUID()}@example.com`;
      const u = await seed(store, [reminder('e', 1, { channel: 'email' })], { email: { address, status: 'pending' } });
      const [ref] = await dueOf(store, u.id, at(5));
      expect(ref).toMatchObject({ channel: 'email', to: address });
      expect(await store.claimReminder(ref!, at(5), at(7), 't')).toEqual({ outcome: 'obsolete' });
      await store.commit(change({ ...u, email: { address, status: 'confirmed' }, version: 2 }, { expectedVersion: 1 }));
      expect(await store.claimReminder(ref!, at(5), at(7), 't')).toMatchObject({ outcome: 'claimed' });
    });

    it('one scheduled message per person per channel per slot: another waits until the slot runs out; its holder may retry', async () => {
      const hour = 60 * 60_000;
      const u = await seed(store, [reminder('a', 1), reminder('b', 2), reminder('e', 2, { channel: 'email' })], {
        email: { address: `${randomUUID()}@example.com`, status: 'confirmed' },
      });
      const due = await dueOf(store, u.id, at(5));
      const [a, b, e] = ['a', 'b', 'e'].map((s) => due.find((r) => r.stepId === s)!);
      expect(await store.claimReminder(a!, at(5), at(7), 'ta', hour)).toMatchObject({ outcome: 'claimed' });
      expect(await store.claimReminder(b!, at(5), at(7), 'tb', hour)).toEqual({ outcome: 'busy', until: at(65) });
      expect(await store.claimReminder(e!, at(5), at(7), 'te', hour)).toMatchObject({ outcome: 'claimed' });
      await store.retryLater(a!, 'ta', at(10), 'timeout', true);
      const [aAgain] = (await dueOf(store, u.id, at(10))).filter((r) => r.stepId === 'a');
      expect(aAgain).toMatchObject({ uncertain: true, attempts: 1, dueKey: at(10).toISOString() });
      expect(await store.claimReminder(aAgain!, at(10), at(12), 'ta2', hour)).toMatchObject({ outcome: 'claimed', attempts: 2 });
      // b's claim was refused whole: still pending, attempts unchanged; free once the slot runs out.
      const [bLater] = (await dueOf(store, u.id, at(70))).filter((r) => r.stepId === 'b');
      expect(bLater).toMatchObject({ attempts: 0 });
      expect(await store.claimReminder(bLater!, at(70), at(72), 'tb2', hour)).toMatchObject({ outcome: 'claimed' });
    });

    it('failed and expired reminders leave the due index; a stale expiry or deferral changes nothing', async () => {
      const u = await seed(store, [reminder('f', 1), reminder('x', 2), reminder('d', 3)]);
      const due = await dueOf(store, u.id, at(5));
      const [f, x, d] = ['f', 'x', 'd'].map((s) => due.find((r) => r.stepId === s)!);
      await store.claimReminder(f!, at(5), at(7), 'tf');
      await store.markFailed(f!, 'tf', at(5), 'rejected', false);
      await store.expire({ ...x!, dueKey: at(0).toISOString() }, at(5));
      await store.defer({ ...d!, dueKey: at(0).toISOString() }, at(100));
      expect((await dueOf(store, u.id, at(5))).map((r) => r.stepId)).toEqual(['x', 'd']);
      await store.expire(x!, at(5));
      await store.defer(d!, at(100));
      expect(await dueOf(store, u.id, at(99))).toEqual([]);
      const [deferred] = await dueOf(store, u.id, at(100));
      expect(deferred).toMatchObject({ stepId: 'd', attempts: 0, dueAt: at(3).toISOString(), dueKey: at(100).toISOString() });
      expect((await store.listReminders(u.id, 'c1')).map((r) => [r.stepId, r.status, r.dueAt])).toEqual([
        ['d', 'pending', at(100).toISOString()],
        ['f', 'failed', at(1).toISOString()],
        ['x', 'expired', at(2).toISOString()],
      ]);
    });

    it('cancelled on its own (pending or claimed), or by a commit, which is refused whole if one is no longer pending', async () => {
      const u = await seed(store, [reminder('a', 1), reminder('b', 2), reminder('c', 3)]);
      const due = await dueOf(store, u.id, at(5));
      const [a, b, c] = ['a', 'b', 'c'].map((s) => due.find((r) => r.stepId === s)!);
      await store.claimReminder(b!, at(5), at(7), 'tb');
      await store.cancelReminder(b!, at(5), 'obsolete');
      await store.cancelReminder(b!, at(6), 'again');
      const next = { ...u, version: 2 };
      expect(await store.commit(change(next, { expectedVersion: 1, cancel: [a!, b!] }))).toEqual({ outcome: 'conflict' });
      expect(await store.getUser(u.id)).toMatchObject({ version: 1 });
      expect(await store.commit(change(next, { expectedVersion: 1, cancel: [a!, c!] }))).toEqual({ outcome: 'ok' });
      expect(await dueOf(store, u.id, at(60))).toEqual([]);
      expect(await store.pendingReminders(u.id, 'c1')).toEqual([]);
      expect((await store.listReminders(u.id, 'c1')).map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    });

    it('rescheduled only while pending, keeping its attempts and uncertain mark', async () => {
      const u = await seed(store, [reminder('r', 1), reminder('s', 2)]);
      const due = await dueOf(store, u.id, at(5));
      const [r, s] = ['r', 's'].map((id) => due.find((x) => x.stepId === id)!);
      await store.claimReminder(r!, at(5), at(7), 'tr');
      await store.retryLater(r!, 'tr', at(8), 'timeout', true);
      const moved = { ...u, version: 2 };
      expect(await store.commit(change(moved, { expectedVersion: 1, reschedule: [reminder('r', 50, { vars: deload, tz: 'Europe/London' })] }))).toEqual({ outcome: 'ok' });
      const after = (await dueOf(store, u.id, at(50))).find((x) => x.stepId === 'r');
      expect(after).toMatchObject({ stepId: 'r', attempts: 1, uncertain: true, vars: deload, tz: 'Europe/London', dueAt: at(50).toISOString(), dueKey: at(50).toISOString() });
      await store.claimReminder(s!, at(5), at(7), 'ts');
      await store.markSent(s!, 'ts', at(5), 'SMs');
      expect(await store.commit(change({ ...u, version: 3 }, { expectedVersion: 2, reschedule: [reminder('s', 60)] }))).toEqual({ outcome: 'conflict' });
      expect(await store.commit(change({ ...u, version: 3 }, { expectedVersion: 2, reschedule: [reminder('nonexistent', 60)] }))).toEqual({ outcome: 'conflict' });
    });

    it('delivery reports: never backwards, idempotent, only about the reminder’s own message', async () => {
      const u = await seed(store, [reminder('d', 1)]);
      const [ref] = await dueOf(store, u.id, at(5));
      const report = (status: 'queued' | 'sent' | 'delivered' | 'failed' | 'undelivered', providerId: string, errorCode: string | null = null) =>
        store.recordDelivery({ ref: ref!, providerId, status, errorCode, at: at(6) });
      await store.claimReminder(ref!, at(5), at(7), 't');
      // While no send is recorded: the message the report names.
      expect(await report('sent', 'SMtimedout')).toBe(true);
      expect(await report('queued', 'SMtimedout')).toBe(false);
      expect(await report('sent', 'SMother')).toBe(false);
      expect(await store.sendRecord(ref!)).toEqual({ report: { providerId: 'SMtimedout', status: 'sent', errorCode: null }, firstTriedAt: at(5) });
      expect(await report('undelivered', 'SMtimedout', '30003')).toBe(true);
      // That one never arrived: another try's message may take over.
      expect(await report('queued', 'SMretry')).toBe(true);
      await store.markSent(ref!, 't', at(6), 'SMretry');
      expect(await report('delivered', 'SMretry')).toBe(true);
      expect(await report('delivered', 'SMretry')).toBe(false);
      expect(await report('sent', 'SMretry')).toBe(false);
      expect(await report('failed', 'SMtimedout', '30003')).toBe(false);
      expect((await store.listReminders(u.id, 'c1'))[0]).toMatchObject({ status: 'sent', delivery: 'delivered' });
      expect(await store.sendRecord(ref!)).toEqual({ report: { providerId: 'SMretry', status: 'delivered', errorCode: null }, firstTriedAt: at(5) });
      expect(await store.recordDelivery({ ref: { ...ref!, stepId: 'missing' }, providerId: 'SMretry', status: 'delivered', errorCode: null, at: at(6) })).toBe(false);
    });

    it('a report on the sent message after one about an earlier try replaces it, and an error clears when a later report has none', async () => {
      const u = await seed(store, [reminder('d', 1)]);
      const [ref] = await dueOf(store, u.id, at(5));
      const report = (status: 'sent' | 'delivered' | 'failed', providerId: string, errorCode: string | null = null) =>
        store.recordDelivery({ ref: ref!, providerId, status, errorCode, at: at(6) });
      await store.claimReminder(ref!, at(5), at(7), 't');
      expect(await report('failed', 'SMfirst', '30008')).toBe(true);
      await store.markSent(ref!, 't', at(6), 'SMsecond');
      // The stored report is about another message: not shown as the sent one's.
      expect((await store.listReminders(u.id, 'c1'))[0]).not.toHaveProperty('delivery');
      expect(await report('sent', 'SMsecond')).toBe(true);
      expect((await store.listReminders(u.id, 'c1'))[0]).toMatchObject({ delivery: 'sent' });
      expect((await store.listReminders(u.id, 'c1'))[0]).not.toHaveProperty('deliveryError');
    });
  });
});

/**
 * The use-case tests read what no port reads back (a reminder's send bookkeeping, consent and
 * check-in records) from the memory store's `written` view: after the same writes, it must hold
 * what the table's items hold, field for field.
 */
describe('what is written and not read back: the memory store shows what the table holds', () => {
  /** Every kind of write a reminder or the history gets, through the ports only. */
  async function script(store: Store, id: string) {
    const address = `${id.slice(1)}@example.com`;
    const u = userOf(id, { email: { address, status: 'confirmed' } });
    const checkin = { id: 'c1', at: T0.toISOString(), text: 'legs done squat 100kg', details: 'squat 100kg', lifts: [{ lift: 'squat' as const, weight: 100, unit: 'kg' as const }] };
    const reminders = ['sent', 'retry', 'failed', 'expired', 'deferred', 'cancelled', 'moved'].map((s, i) => reminder(s, i + 1));
    expect(
      await store.commit(
        change(u, {
          decision: {
            ...nothing,
            user: u,
            checkin,
            painReport: { at: at(1).toISOString(), score: 8, text: 'pain 8', checkinId: 'c1', checkinAt: checkin.at },
            redFlag: { at: at(2).toISOString(), tier: 'soon', signs: ['leg-numbness'], text: 'numb feet', checkinId: 'c1', checkinAt: checkin.at },
            reminders: [...reminders, reminder('mail', 1, { channel: 'email' }), reminder('past', 3, { validUntil: at(3) })],
            consent: { action: 'opt-in', at: T0.toISOString(), via: 'first check-in', text: 'legs done', channel: 'sms' },
          },
        }),
      ),
    ).toEqual({ outcome: 'ok' });
    const due = await dueOf(store, id, at(10));
    const ref = (stepId: string, channel = 'sms') => due.find((r) => r.stepId === stepId && r.channel === channel)!;
    await store.claimReminder(ref('sent'), at(10), at(12), 't1', 3_600_000);
    expect(await store.recordDelivery({ ref: ref('sent'), providerId: 'SMearly', status: 'undelivered', errorCode: '30008', at: at(10) })).toBe(true);
    await store.markSent(ref('sent'), 't1', at(11), 'SMsent', 540);
    expect(await store.recordDelivery({ ref: ref('sent'), providerId: 'SMsent', status: 'delivered', errorCode: null, at: at(12) })).toBe(true);
    await store.claimReminder(ref('retry'), at(10), at(12), 't2');
    await store.retryLater(ref('retry'), 't2', at(15), 'transient 20500', true);
    await store.claimReminder(ref('failed'), at(10), at(12), 't3');
    await store.markFailed(ref('failed'), 't3', at(11), 'opted-out 21610', false);
    await store.expire(ref('expired'), at(10));
    await store.defer(ref('deferred'), at(100));
    await store.cancelReminder(ref('cancelled'), at(10), 'obsolete');
    await store.claimReminder(ref('mail', 'email'), at(10), at(12), 't4');
    expect(await store.recordDelivery({ ref: ref('mail', 'email'), providerId: 'ses-1', status: 'delivered', errorCode: null, at: at(11) })).toBe(true);
    const next = { ...u, status: 'opted_out' as const, version: 2 };
    const moved = reminder('moved', 50, { vars: { load: { kind: 'caps', caps: 'squat 154kg' } }, tz: 'Europe/London' });
    expect(
      await store.commit(
        change(next, {
          expectedVersion: 1,
          decision: { ...nothing, user: next, consent: { action: 'opt-out', at: at(20).toISOString(), via: 'keyword', text: 'STOP' } },
          reschedule: [moved],
          cancel: [ref('deferred')],
          now: at(20),
        }),
      ),
    ).toEqual({ outcome: 'ok' });
  }

  it('every reminder field (the due-index key as dueKey) and every history record, in key order', async () => {
    const raw = createDynamoClient({ region: 'us-east-1', endpoint: inject('dynamoEndpoint') });
    cleanups.push(() => raw.destroy());
    const table = `contract-${randomUUID().slice(0, 8)}`;
    await ensureTable(raw, table);
    const db = documentClient(raw);
    const memory = createMemoryStore();
    const id = phone();
    await script(createDynamoStore(db, table), id);
    await script(memory, id);

    const items = (await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': userPk(id) } }))).Items ?? [];
    const fromTable: Written = { reminders: [], history: [] };
    for (const { PK: _pk, SK: _sk, type, ...item } of items) {
      if (type === 'reminder') {
        const { gsi1pk, gsi1sk, ...rest } = item;
        // In the index exactly while it has a due key.
        expect(gsi1pk === undefined).toBe(gsi1sk === undefined);
        // Whose it is, the table keeps in the key.
        fromTable.reminders.push({ userId: id, ...rest, ...(gsi1sk === undefined ? {} : { dueKey: gsi1sk }) } as Written['reminders'][number]);
      } else if (type !== 'user' && type !== 'slot') {
        fromTable.history.push({ type, ...item });
      }
    }
    const written = memory.written(id);
    // The shard is the index partition, kept by the memory store after the reminder left the index.
    const reminders = written.reminders.map(({ shard: _shard, ...r }) => r);
    expect(reminders.map((r) => [r.stepId, r.status])).toEqual([
      ['cancelled', 'cancelled'],
      ['deferred', 'cancelled'],
      ['mail', 'sending'],
      ['expired', 'expired'],
      ['failed', 'failed'],
      ['moved', 'pending'],
      ['past', 'expired'],
      ['retry', 'pending'],
      ['sent', 'sent'],
    ]);
    expect(reminders).toEqual(fromTable.reminders);
    expect(written.history.map((h) => h['type'])).toEqual(['checkin', 'pain', 'red-flag', 'consent', 'consent']);
    expect(written.history).toEqual(fromTable.history);
    expect(written).not.toHaveProperty('user');
  });
});
