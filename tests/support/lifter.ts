import type { UserState } from '../../src/core/user.ts';

/** The lifter of the pure-core tests: a New York number whose leg day was Monday 2 March 2026, 18:00 local. */
export const phone = '+15551234567';
export const NY = 'America/New_York';
export const legDay = new Date('2026-03-02T23:00:00Z');
export const hoursLater = (h: number) => new Date(legDay.getTime() + h * 3_600_000);
export const daysLater = (d: number) => hoursLater(d * 24);

/** An id generator that counts: id-1, id-2, ... */
export const ids = () => {
  let n = 0;
  return () => `id-${++n}`;
};

/** One inbound text for respond(), at `now`. */
export const input = (text: string, now = legDay, extra: object = {}) => ({ from: phone, text, now, newId: ids(), defaultTimezone: NY, ...extra });

/** An enrolled lifter with that leg day on record. */
export const active = (over: Partial<UserState> = {}): UserState => ({
  id: over.phone ?? phone,
  phone,
  email: null,
  status: 'active',
  enrolledAt: '2026-02-01T10:00:00.000Z',
  timezone: NY,
  recent: [{ id: 'old', at: legDay.toISOString(), lifts: [], pain: [] }],
  painTrack: null,
  pause: null,
  version: 3,
  ...over,
});

/** A London number signed up on 2 March 2026, 18:00 UTC, with no leg days yet. */
export const londoner = (over: Partial<UserState> = {}): UserState => ({
  id: '+447700900123',
  phone: '+447700900123',
  status: 'active',
  email: null,
  enrolledAt: '2026-03-02T18:00:00.000Z',
  timezone: 'Europe/London',
  recent: [],
  painTrack: null,
  pause: null,
  version: 1,
  ...over,
});
