/**
 * Capacity on a virtual clock: N lifters checking in over a week the way evening gym traffic
 * does, across the US time zones and the UK; their plans made by the real planReminders; the real
 * sweeper (sendDueReminders, with its windows, no-burst slot, pacing and time budget) run every
 * minute against an in-memory store that keeps the DynamoDB store's semantics (due index order,
 * conditional claim with the hourly slot, deferral, expiry), and a sender of R messages a second.
 * Virtual time: pacing and the sweep's budget run on the simulated wall clock, so 100,000 lifters
 * over 16 days take seconds. Usable alone: `npx tsx bench/capacity.ts`.
 */
import { planReminders, spreadOffsetMs, type NewReminder, type StepVars } from '../src/core/plan.ts';
import type { ClaimResult, DueReminder, EmailDelivery, Metrics, ReminderRef, SmsSender, Store } from '../src/use-cases/ports.ts';
import { percentile, sendDueReminders } from '../src/use-cases/send-due-reminders.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** The sweeper Lambda's budget: its 55 s timeout less the 15 s it keeps to record outcomes. */
export const SWEEP_BUDGET_MS = 40_000;
/** Monday 2 March 2026, 00:00 UTC: the week the leg days fall in. */
const WEEK = Date.parse('2026-03-02T00:00:00Z');

/** Where lifters are: the US zones by population, and the UK. */
const ZONES: [string, number][] = [
  ['America/New_York', 0.37],
  ['America/Chicago', 0.25],
  ['America/Denver', 0.06],
  ['America/Los_Angeles', 0.17],
  ['Europe/London', 0.15],
];
/** Leg day by weekday, Monday first ("never skip leg day" is a Monday habit). */
const WEEKDAYS = [0.22, 0.18, 0.18, 0.16, 0.12, 0.08, 0.06];

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: [T, number][]): T => {
  let x = r();
  for (const [v, w] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![0];
};
const normal = (r: () => number, mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** "legs done" times: most after evening training (about 18:45), some after a morning or lunch session. */
function checkinHour(r: () => number): number {
  const kind = r();
  const h = kind < 0.65 ? normal(r, 18.75, 1.2) : kind < 0.85 ? normal(r, 7.25, 0.75) : normal(r, 12.75, 0.6);
  return Math.min(22.9, Math.max(5.5, h));
}

/** The zone's UTC offset (hours) on a date, via Intl: enough to place a local hour on the week. */
function offsetHours(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - at) / MIN) / 60;
}

export interface Lifter {
  phone: string;
  zone: string;
  checkinAt: Date;
}

export function lifters(n: number, seed = 12): Lifter[] {
  const r = rng(seed);
  const offsets = new Map(ZONES.map(([z]) => [z, offsetHours(z, WEEK + 3 * DAY)]));
  return Array.from({ length: n }, (_, i) => {
    const zone = pick(r, ZONES);
    const day = pick(r, WEEKDAYS.map((w, d) => [d, w] as [number, number]));
    // To the 5 minutes: lifters who check in together share one plan computation.
    const localMs = WEEK + day * DAY + Math.round((checkinHour(r) * 60) / 5) * 5 * MIN;
    return { phone: `+1555${String(i).padStart(7, '0')}`, zone, checkinAt: new Date(localMs - offsets.get(zone)! * 3_600_000) };
  });
}

interface Item {
  key: string;
  userId: string;
  series: string;
  stepId: string;
  vars: StepVars;
  tz: string;
  dueAt: number;
  validUntil: number;
  status: 'pending' | 'sending' | 'sent' | 'expired';
  attempts: number;
  /** The due index's sort key (ms), or null when out of the index. */
  at: number | null;
  token?: string;
  lateSeconds?: number;
}

/**
 * The store's semantics in memory, for the sweeper only: a due index ordered by time (minute
 * buckets), the conditional claim with the person's hourly slot, deferral, expiry, the outcome.
 */
export function memoryStore(reminders: { userId: string; r: NewReminder & { channel: 'sms' } }[]) {
  const items = new Map<string, Item>();
  const buckets = new Map<number, Set<Item>>();
  const minutes: number[] = []; // a min-heap of bucket minutes (lazy: a bucket may be empty)
  const heapPush = (m: number) => {
    minutes.push(m);
    for (let i = minutes.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (minutes[p]! <= minutes[i]!) break;
      [minutes[p], minutes[i]] = [minutes[i]!, minutes[p]!];
      i = p;
    }
  };
  const heapPop = () => {
    const top = minutes[0]!;
    const last = minutes.pop()!;
    if (minutes.length) {
      minutes[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < minutes.length && minutes[l]! < minutes[m]!) m = l;
        if (r < minutes.length && minutes[r]! < minutes[m]!) m = r;
        if (m === i) break;
        [minutes[m], minutes[i]] = [minutes[i]!, minutes[m]!];
        i = m;
      }
    }
    return top;
  };
  const index = (item: Item, at: number | null) => {
    if (item.at !== null) buckets.get(Math.floor(item.at / MIN))?.delete(item);
    item.at = at;
    if (at === null) return;
    const m = Math.floor(at / MIN);
    let b = buckets.get(m);
    if (!b) {
      buckets.set(m, (b = new Set()));
      heapPush(m);
    }
    b.add(item);
  };
  const slots = new Map<string, { until: number; holder: string }>();
  for (const { userId, r } of reminders) {
    const item: Item = {
      key: `${userId}#${r.series}#${r.stepId}`,
      userId,
      series: r.series,
      stepId: r.stepId,
      vars: r.vars,
      tz: r.tz,
      dueAt: r.dueAt.getTime(),
      validUntil: r.validUntil.getTime(),
      status: r.dueAt < r.validUntil ? 'pending' : 'expired',
      attempts: 0,
      at: null,
    };
    items.set(item.key, item);
    if (item.status === 'pending') index(item, item.dueAt);
  }
  const get = (ref: ReminderRef) => items.get(`${ref.userId}#${ref.series}#${ref.stepId}`)!;
  const unused = () => {
    throw new Error('not used by the sweeper');
  };

  const store: Store = {
    getUser: unused,
    emailOwner: unused,
    pendingReminders: unused,
    listReminders: unused,
    commit: unused,
    inboundReply: unused,
    replyPending: unused,
    markReplySent: unused,
    recordDelivery: unused,
    sendRecord: unused,
    linkRequest: unused,
    requestLink: unused,
    markLinkAsked: unused,
    commitLink: unused,
    async findDueReminders(now, limit) {
      const until = now.getTime();
      const taken: number[] = [];
      const out: Item[] = [];
      while (minutes.length && minutes[0]! <= Math.floor(until / MIN) && out.length < limit) {
        const m = heapPop();
        const b = buckets.get(m);
        if (!b || b.size === 0) {
          buckets.delete(m);
          continue;
        }
        taken.push(m);
        // Within a minute, insertion order (the real index orders to the millisecond; plans are on whole minutes).
        for (const item of b) {
          if (out.length >= limit) break;
          if (item.at! <= until) out.push(item);
        }
      }
      for (const m of taken) heapPush(m);
      return out.map((i) => ({
        userId: i.userId,
        channel: 'sms' as const,
        series: i.series,
        stepId: i.stepId,
        attempts: i.attempts,
        to: i.userId,
        dueKey: new Date(i.at!).toISOString(),
        vars: i.vars,
        tz: i.tz,
        uncertain: false,
        dueAt: new Date(i.dueAt).toISOString(),
        validUntil: new Date(i.validUntil).toISOString(),
      }));
    },
    async nextDueAt() {
      return null;
    },
    async defer(ref: DueReminder, until: Date) {
      const item = get(ref);
      if (item.at !== null && new Date(item.at).toISOString() === ref.dueKey) index(item, until.getTime());
    },
    async expire(ref: DueReminder) {
      const item = get(ref);
      if (item.at !== null && new Date(item.at).toISOString() === ref.dueKey && item.status !== 'sent') {
        item.status = 'expired';
        index(item, null);
      }
    },
    async claimReminder(ref, now, claimUntil, token, slotMs = 0): Promise<ClaimResult> {
      const item = get(ref);
      const t = now.getTime();
      if (item.at === null || item.at > t || item.attempts !== ref.attempts || item.status !== 'pending') return { outcome: 'taken' };
      const slotKey = `${ref.userId}#sms`;
      const slot = slots.get(slotKey);
      if (slotMs > 0 && slot && slot.until > t && slot.holder !== item.key) return { outcome: 'busy', until: new Date(slot.until) };
      if (slotMs > 0) slots.set(slotKey, { until: t + slotMs, holder: item.key });
      item.status = 'sending';
      item.token = token;
      item.attempts++;
      index(item, claimUntil.getTime());
      return { outcome: 'claimed', token, attempts: item.attempts };
    },
    async markSent(ref, token, _at, _pid, lateSeconds) {
      const item = get(ref);
      if (item.token !== token) throw new Error('claim lost');
      item.status = 'sent';
      item.lateSeconds = lateSeconds ?? 0;
      index(item, null);
    },
    retryLater: unused,
    markFailed: unused,
    async cancelReminder() {},
  };
  /** The earliest minute anything is due (ms), or null: the simulation skips idle minutes. */
  const nextDue = () => {
    while (minutes.length) {
      const b = buckets.get(minutes[0]!);
      if (b && b.size) return minutes[0]! * MIN;
      buckets.delete(heapPop());
    }
    return null;
  };
  return { store, items, nextDue };
}

export interface CapacityRun {
  lifters: number;
  sendRatePerSecond: number;
  spreadMinutes: number;
  texts: number;
  sent: number;
  expired: number;
  expiredShare: number;
  p50LateSeconds: number;
  p99LateSeconds: number;
  /** Most sends in any one minute (the sender's real ceiling is rate x the sweep's budget). */
  peakPerMinute: number;
}

/** One run: N lifters, a sender of R messages a second, the sweeper every minute for 16 days. */
export async function simulate(n: number, ratePerSecond: number, opts: { spreadMinutes?: number; seed?: number } = {}): Promise<CapacityRun> {
  const spreadMinutes = opts.spreadMinutes ?? 0;
  // The real planner, once per distinct (zone, check-in time, spread offset): the same inputs give the same plan.
  const plans = new Map<string, (NewReminder & { channel: 'sms' })[]>();
  const reminders = lifters(n, opts.seed).flatMap((l) => {
    const key = `${l.zone}|${l.checkinAt.getTime()}|${spreadOffsetMs(l.phone, spreadMinutes)}`;
    let plan = plans.get(key);
    if (!plan) {
      plan = planReminders({ channels: ['sms'], checkinId: 'c', checkinAt: l.checkinAt, zone: l.zone, gapDays: 7, caps: null, spreadKey: l.phone, spreadMinutes }).filter(
        (r): r is NewReminder & { channel: 'sms' } => r.channel === 'sms',
      );
      plans.set(key, plan);
    }
    return plan.map((r) => ({ userId: l.phone, r }));
  });
  const { store, items, nextDue } = memoryStore(reminders);
  let wall = 0;
  let sent = 0;
  const sender: SmsSender = {
    async send() {
      return { id: `SM${++sent}` };
    },
    async findSent() {
      return null;
    },
  };
  const metrics: Metrics = { count() {}, gauge() {} };
  const deps = {
    store,
    sender,
    email: {} as EmailDelivery,
    log: { info() {}, warn() {}, error() {} },
    metrics,
    newId: (() => {
      let k = 0;
      return () => `t${++k}`;
    })(),
    wallClock: { now: () => new Date(wall) },
    sleep: async (ms: number) => void (wall += ms),
    defaultTimezone: 'America/New_York',
  };
  const end = WEEK + 17 * DAY;
  // Batches sized to what the sender can take in a sweep (the sweep takes batch after batch while it has time).
  const batchSize = Math.min(500, Math.max(60, Math.ceil(ratePerSecond * 60)));
  let peak = 0;
  // Every minute, as the scheduled sweeper runs; minutes with nothing due are skipped (a sweep there finds nothing).
  for (let t = nextDue(); t !== null && t <= end; t = Math.max(t + MIN, nextDue() ?? Infinity)) {
    wall = t;
    const res = await sendDueReminders(deps, { now: new Date(t), ratePerSecond, budgetMs: SWEEP_BUDGET_MS, batchSize, concurrency: 8 });
    peak = Math.max(peak, res.sent.length);
  }
  const all = [...items.values()];
  const late = all.filter((i) => i.status === 'sent').map((i) => i.lateSeconds!);
  // Anything still pending at the end is past its window by now.
  const expired = all.filter((i) => i.status !== 'sent').length;
  return {
    lifters: n,
    sendRatePerSecond: ratePerSecond,
    spreadMinutes,
    texts: all.length,
    sent: late.length,
    expired,
    expiredShare: Math.round((expired / all.length) * 10_000) / 10_000,
    p50LateSeconds: percentile(late, 50),
    p99LateSeconds: percentile(late, 99),
    peakPerMinute: peak,
  };
}

/** The most lifters a sender serves with p99 lateness under `limitSeconds` (searched on a coarse grid, then halved). */
export async function maxLifters(ratePerSecond: number, opts: { limitSeconds?: number; spreadMinutes?: number; ceiling?: number } = {}): Promise<{ lifters: number; capped: boolean }> {
  const limit = opts.limitSeconds ?? 15 * 60;
  const ceiling = opts.ceiling ?? 200_000;
  const ok = async (n: number) => (await simulate(n, ratePerSecond, opts)).p99LateSeconds < limit;
  let lo = 0;
  let hi = 250;
  for (;;) {
    if (!(await ok(hi))) break;
    lo = hi;
    if (hi >= ceiling) return { lifters: ceiling, capped: true };
    hi = Math.min(hi * 2, ceiling);
  }
  // Narrow to within 10%.
  while (hi - lo > Math.max(50, lo * 0.1)) {
    const mid = Math.round((lo + hi) / 2);
    if (await ok(mid)) lo = mid;
    else hi = mid;
  }
  return { lifters: lo, capped: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  const rate = Number(process.argv[3] ?? 1);
  const t0 = Date.now();
  console.log(await simulate(n, rate, { spreadMinutes: Number(process.argv[4] ?? 0) }), `${Date.now() - t0} ms`);
}
