import { DateTime } from 'luxon';

/**
 * Time maths in a person's own zone. Pure: instants in, instants out. Luxon does the zone rules,
 * including DST days: a wall time that does not exist (spring forward) moves to the next one that
 * does, and an ambiguous one (fall back) takes the earlier instant.
 */

export interface SendingHours {
  /** "08:00" */
  start: string;
  /** "20:00": the first minute that is too late. */
  end: string;
}

const hm = (s: string) => {
  const [h, m] = s.split(':').map(Number);
  return { hour: h!, minute: m! };
};

const local = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone });

/** The instant of wall time `at` on the local date `days` after `anchor`'s local date. */
export function atLocalTime(anchor: Date, zone: string, days: number, at: string): Date {
  return local(anchor, zone).startOf('day').plus({ days }).set({ ...hm(at), second: 0, millisecond: 0 }).toJSDate();
}

/** `instant` if it is inside sending hours in `zone`; otherwise the next opening (start time). */
export function nextSendingTime(instant: Date, zone: string, hours: SendingHours): Date {
  const t = local(instant, zone);
  // The common case, inside the hours, from the local wall clock alone (the sweeper asks this of every due text).
  const start = hm(hours.start);
  const end = hm(hours.end);
  const minute = t.hour * 60 + t.minute;
  if (minute >= start.hour * 60 + start.minute && minute < end.hour * 60 + end.minute) return instant;
  const open = t.set({ ...hm(hours.start), second: 0, millisecond: 0 });
  const close = t.set({ ...hm(hours.end), second: 0, millisecond: 0 });
  if (t < open) return open.toJSDate();
  if (t >= close) return open.plus({ days: 1 }).set(hm(hours.start)).toJSDate();
  return instant;
}

export function isWithinSendingHours(instant: Date, zone: string, hours: SendingHours): boolean {
  return nextSendingTime(instant, zone, hours).getTime() === instant.getTime();
}

/** Whole local calendar days from `a` to `b` (Mon 23:00 → Tue 01:00 is one day). */
export function localDaysBetween(a: Date, b: Date, zone: string): number {
  return Math.round(local(b, zone).startOf('day').diff(local(a, zone).startOf('day'), 'days').days);
}

/** "Thu 9:00" */
export function formatWhen(instant: Date, zone: string): string {
  return local(instant, zone).toFormat('ccc H:mm');
}

/** "Mon 2 Mar" */
export function formatDay(instant: Date, zone: string): string {
  return local(instant, zone).toFormat('ccc d LLL');
}

/** Local hour and minute, for tests and the simulator. */
export function localClock(instant: Date, zone: string): string {
  return local(instant, zone).toFormat('HH:mm');
}

/** The local day of the week, 0 = Sunday ... 6 = Saturday. */
export function localWeekday(instant: Date, zone: string): number {
  return local(instant, zone).weekday % 7;
}
