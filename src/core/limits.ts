import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** SMS-pumping and cost limits, all per clock hour. */
export interface AbuseLimits {
  /** Replies to one number per hour. */
  repliesPerNumber: number;
  /** Replies to all numbers per hour. */
  repliesTotal: number;
  /** New numbers enrolled per hour (texts; the sign-up page has a counter of its own with the same cap). */
  enrolmentsTotal: number;
  /** Confirmation emails per hour across the service: the sign-up form can never keep SES busy. */
  confirmationEmailsTotal: number;
  /** ISO 3166 codes whose numbers are served; texts from elsewhere are ignored. */
  allowedCountries: readonly string[];
}

export const DEFAULT_LIMITS: AbuseLimits = {
  repliesPerNumber: 10,
  repliesTotal: 2000,
  enrolmentsTotal: 300,
  confirmationEmailsTotal: 100,
  allowedCountries: ['US', 'CA', 'GB', 'IE', 'AU', 'NZ'],
};

/** The number's country; for a number outside the assigned ranges, its calling code's main country. */
export function countryOf(phone: string): string | null {
  const n = parsePhoneNumberFromString(phone);
  return n?.country ?? n?.getPossibleCountries()[0] ?? null;
}

export function isAllowedCountry(phone: string, limits: AbuseLimits): boolean {
  const country = countryOf(phone);
  return country !== null && limits.allowedCountries.includes(country);
}

/** "2026-03-02": the UTC day a counter covers. */
export function dayBucket(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** "2026-03-02T18": the clock hour a counter covers. */
export function hourBucket(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** How long an hourly counter is kept: its hour and a margin for clock skew. */
const HOURLY_COUNTER_TTL_S = 3600 + 2 * 3600;

/** Hourly counters a write must fit under, each to be forgotten (epoch seconds) a while after its hour. */
export function hourlyCounters<C extends { name: string; key: string; max: number }>(now: Date, counters: readonly C[]): (C & { expiresAt: number })[] {
  const expiresAt = Math.floor(now.getTime() / 1000) + HOURLY_COUNTER_TTL_S;
  return counters.map((c) => ({ ...c, expiresAt }));
}

/**
 * An hourly (or daily) rate-limit counter: what is counted, then the parts that scope it (a number,
 * an address, "all"), then its time bucket. E.g. rateKey('reply', '+15551234567', '2026-03-02T18')
 * is "RATE#reply#+15551234567#2026-03-02T18".
 */
export const rateKey = (what: string, ...scope: string[]) => ['RATE', what, ...scope].join('#');
