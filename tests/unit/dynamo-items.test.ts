import { describe, expect, it } from 'vitest';
import { BrokenItemError, parseDueEntry, parseInbound, parseLinkRequest, parseOwner, parseReminder, parseUser } from '../../src/adapters/dynamo/items.ts';

const profile = {
  PK: 'USER#+15551234567',
  SK: 'PROFILE',
  type: 'user',
  id: '+15551234567',
  phone: '+15551234567',
  status: 'active',
  enrolledAt: '2026-03-02T18:00:00.000Z',
  timezone: 'America/New_York',
  recent: [{ id: 'c1', at: '2026-03-02T18:00:00.000Z', lifts: [{ lift: 'squat', weight: 100, unit: 'kg' }], pain: [3] }],
  version: 4,
};

const reminder = {
  PK: 'USER#+15551234567',
  SK: 'REMINDER#c1#email#d1',
  type: 'reminder',
  channel: 'email',
  to: 'amy@example.com',
  status: 'pending',
  body: '{}',
  tz: 'UTC',
  dueAt: '2026-03-03T18:00:00.000Z',
  gsi1pk: 'DUE#3',
  gsi1sk: '2026-03-03T18:00:00.000Z',
  attempts: 0,
};

/** Items are checked when read: a broken one fails naming the item and the field, never read as a guess. */
describe('parsing stored items', () => {
  it('reads well-formed items', () => {
    expect(parseUser(profile)).toEqual({ id: '+15551234567', phone: '+15551234567', status: 'active', email: null, enrolledAt: profile.enrolledAt, timezone: 'America/New_York', recent: profile.recent, painTrack: null, pause: null, version: 4 });
    // A leg day after a break keeps the deload it was given (the ranges, or null with no lifts before).
    const afterBreak = [{ ...profile.recent[0]!, deload: 'squat 98-112kg' }, { ...profile.recent[0]!, id: 'c0', deload: null }];
    expect(parseUser({ ...profile, recent: afterBreak }).recent).toEqual(afterBreak);
    expect(parseReminder(reminder)).toMatchObject({ userId: '+15551234567', series: 'c1', stepId: 'd1', channel: 'email', status: 'pending', dueKey: reminder.gsi1sk, uncertain: false });
    expect(parseDueEntry({ ...reminder, type: undefined })).toMatchObject({ to: 'amy@example.com', attempts: 0 });
    // What a step says, unworded: nothing for most steps, the load rule for the warm-up.
    expect(parseDueEntry({ ...reminder, body: undefined }).message).toEqual({ channel: 'email', vars: {} });
    const load = { kind: 'deload', deload: 'squat 98-112kg' };
    expect(parseDueEntry({ ...reminder, SK: 'REMINDER#c1#d1', channel: 'sms', body: { load } }).message).toEqual({ channel: 'sms', vars: { load } });
    // Words stored by a version from before: sent as stored.
    expect(parseDueEntry({ ...reminder, SK: 'REMINDER#c1#d1', channel: 'sms', body: 'Ice now.' }).message).toEqual({ channel: 'sms', vars: {}, stored: 'Ice now.' });
    expect(parseOwner({ PK: 'EMAIL#amy@example.com', SK: 'EMAIL', type: 'email', userId: '+15551234567', at: 'x' })).toEqual({ userId: '+15551234567', at: 'x' });
    expect(parseInbound({ PK: 'INBOUND#SM1', SK: 'INBOUND', type: 'inbound', reply: null, at: 'x' })).toEqual({ reply: null, at: 'x', replySentAt: null });
    expect(parseLinkRequest({ PK: 'USER#+15551234567', SK: 'LINK', type: 'link', status: 'linked', address: 'a@b.c', at: 'x' })).toBeNull();
  });

  it.each([
    ['a profile with an unknown status', () => parseUser({ ...profile, status: 'zombie' }), /broken user item .*status is not one of/],
    ['a profile without a version', () => parseUser({ ...profile, version: undefined }), /version is not a number/],
    ['a profile without an id (no guessing it from the phone)', () => parseUser({ ...profile, id: undefined }), /id is not a string/],
    ['a profile whose email is a string', () => parseUser({ ...profile, email: 'amy@example.com' }), /email is not an address with a known status/],
    ['a profile with a malformed leg day', () => parseUser({ ...profile, recent: [{ id: 'c1' }] }), /recent is not a list of leg days/],
    ['a reminder whose body is neither what a step says nor words', () => parseReminder({ ...reminder, body: null }), /broken reminder item .*body is not what a step says, or a text's or an email's words/],
    ['a text reminder whose body is a number', () => parseDueEntry({ ...reminder, SK: 'REMINDER#c1#d1', channel: 'sms', body: 7 }), /broken due reminder item .*body is not what a step says/],
    ['a sent reminder still in the due index', () => parseReminder({ ...reminder, status: 'sent' }), /gsi1sk is not absent from a finished reminder/],
    ['a due entry without an address', () => parseDueEntry({ ...reminder, to: undefined }), /to is not a string/],
    ['a reminder under a foreign key', () => parseReminder({ ...reminder, SK: 'PROFILE' }), /SK is not a REMINDER# key/],
    ['an item of another type read as a profile', () => parseUser({ ...reminder }), /type is not "user"/],
    ['an owner record without its owner', () => parseOwner({ PK: 'EMAIL#amy@example.com', SK: 'EMAIL', type: 'email', at: 'x' }), /userId is not a string/],
  ])('fails clearly on %s', (_what, read, message) => {
    expect(read).toThrow(BrokenItemError);
    expect(read).toThrow(message);
  });

  it('names the item by its keys without the whole phone number or address', () => {
    expect(() => parseUser({ ...profile, version: 'x' })).toThrow(/USER#…67 \/ PROFILE/);
    expect(() => parseOwner({ PK: 'EMAIL#amy@example.com', SK: 'EMAIL', type: 'email' })).toThrow(/EMAIL#…om \/ EMAIL/);
  });
});
