/**
 * Lifts logged with a check-in ("legs done squat 140kg deadlift 180") and the load advice built
 * on them: the 10% rule and the 20-30% deload after a break. Pure.
 */
export type Unit = 'kg' | 'lb';

export interface Lift {
  lift: string;
  weight: number;
  unit: Unit;
}

/** What people type → the lift's name in our texts. Longest phrases first. */
const LIFT_NAMES: [RegExp, string][] = [
  [/^(?:bulgarian split squats?|bulgarians?|bss|split squats?)$/, 'split squat'],
  [/^(?:romanian deadlifts?|rdls?|sldl|stiff leg deadlifts?)$/, 'RDL'],
  [/^(?:front squats?|fs)$/, 'front squat'],
  [/^(?:hack squats?|hack)$/, 'hack squat'],
  [/^(?:back squats?|squats?|sq|bs|sqt)$/, 'squat'],
  [/^(?:deadlifts?|dead lifts?|deads|dl|dls|sumo)$/, 'deadlift'],
  [/^(?:leg press|legpress|lp)$/, 'leg press'],
  [/^(?:hip thrusts?|ht|thrusts?)$/, 'hip thrust'],
  [/^(?:lunges?|walking lunges?)$/, 'lunge'],
];

const UNIT: Record<string, Unit> = { kg: 'kg', kgs: 'kg', kilo: 'kg', kilos: 'kg', lb: 'lb', lbs: 'lb', pound: 'lb', pounds: 'lb' };

function liftName(phrase: string): string | null {
  for (const [re, name] of LIFT_NAMES) if (re.test(phrase)) return name;
  return null;
}

/**
 * Reads "name weight[unit]" pairs. A weight with no unit takes `defaultUnit` (lb for US and
 * Canadian numbers, kg elsewhere). Set/rep notation ("3x5") is skipped.
 */
export function parseLifts(details: string, defaultUnit: Unit): Lift[] {
  const tokens = details
    .toLowerCase()
    .replace(/(\d)\s*(kgs?|lbs?|kilos?|pounds?)\b/g, '$1$2')
    .split(/[\s,;:+&/]+/)
    .filter(Boolean);
  const out: Lift[] = [];
  for (let i = 0; i < tokens.length; i++) {
    // Try three-, two- and one-word names at this position.
    for (const len of [3, 2, 1]) {
      const name = liftName(tokens.slice(i, i + len).join(' '));
      if (!name) continue;
      // The first plain weight after the name, skipping "3x5" and "@".
      let j = i + len;
      while (j < tokens.length && /^(?:\d+x\d+|x\d+|@|at|for)$/.test(tokens[j]!)) j++;
      const m = /^(\d{1,4}(?:\.\d+)?)(kgs?|lbs?|kilos?|pounds?)?$/.exec(tokens[j] ?? '');
      if (m) {
        const weight = Number(m[1]);
        if (weight > 0 && weight < 2000) out.push({ lift: name, weight, unit: m[2] ? UNIT[m[2]]! : defaultUnit });
        i = j;
      } else {
        i += len - 1;
      }
      break;
    }
  }
  return out;
}

/** For someone with no phone number: pounds where the zone is in the US or Canada. */
export function defaultUnitForZone(zone: string): Unit {
  return /^(America\/(New_York|Chicago|Denver|Phoenix|Los_Angeles|Anchorage|Detroit|Boise|Indiana\/.*|Kentucky\/.*|Toronto|Vancouver|Edmonton|Winnipeg|Halifax|St_Johns|Regina)|Pacific\/Honolulu)$/.test(zone) ? 'lb' : 'kg';
}

export function defaultUnitFor(phone: string): Unit {
  // North American numbering plan: the US and Canada lift in pounds.
  return phone.startsWith('+1') ? 'lb' : 'kg';
}

export interface LoggedLifts {
  at: string;
  lifts: Lift[];
}

/** Heaviest load per lift (and unit) among `logs` logged at or after `since`. */
export function heaviest(logs: readonly LoggedLifts[], since: Date): Lift[] {
  const best = new Map<string, Lift>();
  for (const log of logs) {
    if (new Date(log.at) < since) continue;
    for (const l of log.lifts) {
      const key = `${l.lift}|${l.unit}`;
      if (!best.has(key) || best.get(key)!.weight < l.weight) best.set(key, l);
    }
  }
  return [...best.values()];
}

const floor = (x: number) => Math.floor(x + 1e-9);
const fmt = (w: number, unit: Unit) => `${w}${unit}`;

/** At most this many lifts are named in one text, to keep it to two SMS segments. */
export const MAX_LIFTS_NAMED = 3;

/** "squat 154kg, deadlift 198kg": no more than 10% over the heaviest recent load. */
export function tenPercentCaps(best: readonly Lift[]): string {
  return best.slice(0, MAX_LIFTS_NAMED).map((l) => `${l.lift} ${fmt(floor(l.weight * 1.1), l.unit)}`).join(', ');
}

/** "squat 98-112kg": 20-30% lighter than before the break. */
export function deloadRanges(best: readonly Lift[]): string {
  return best.slice(0, MAX_LIFTS_NAMED).map((l) => `${l.lift} ${floor(l.weight * 0.7)}-${fmt(floor(l.weight * 0.8), l.unit)}`).join(', ');
}
