/**
 * `npm run eval`: how well the understanding layer reads people, on the labeled corpus.
 * Prints, for the tuning part and the held-out part (never tuned on): per-intent precision and
 * recall, the confusion table, and triage recall (per tier, and "any tier") with the false-alarm
 * rate on texts that carry no warning sign. `--json` prints the figures as JSON instead;
 * `--misses` lists what the tuning part got wrong.
 */
import { loadCorpus, score, type Scores } from './score.ts';

const parts = ['tuning', 'held-out'] as const;
const json = process.argv.includes('--json');
const verbose = process.argv.includes('--misses');
const results: Record<string, Scores> = {};
for (const part of parts) results[part] = await score(loadCorpus(part));

if (json) {
  console.log(JSON.stringify(Object.fromEntries(parts.map((p) => [p, summary(results[p]!)])), null, 2));
} else {
  for (const part of parts) print(part, results[part]!);
}

function summary(s: Scores) {
  return {
    texts: s.total,
    intentAccuracy: round(s.intentAccuracy),
    redFlagRecall: round(s.triage.recallAny),
    emergencyRecall: round(s.triage.recall.emergency),
    soonRecall: round(s.triage.recall.soon),
    exactTier: round(s.triage.exactTier),
    falseAlarmRate: round(s.triage.falseAlarm),
    sorenessFalseAlarmRate: round(s.triage.sorenessFalseAlarm),
  };
}

function round(x: number) {
  return Math.round(x * 1000) / 1000;
}

function pct(x: number) {
  return `${(x * 100).toFixed(1)}%`;
}

function print(part: string, s: Scores) {
  console.log(`\n== ${part}: ${s.total} texts ==`);
  console.log(`intent accuracy ${pct(s.intentAccuracy)}`);
  console.log('\nintent         precision  recall   n');
  for (const [intent, m] of Object.entries(s.perIntent).sort()) {
    console.log(`${intent.padEnd(14)} ${pct(m.precision).padStart(8)} ${pct(m.recall).padStart(8)} ${String(m.n).padStart(4)}`);
  }
  const labels = Object.keys(s.perIntent).sort();
  console.log('\nconfusion (rows: label, columns: read as)');
  const short = labels.map((l) => l.slice(0, 5));
  console.log(''.padEnd(12) + short.map((l) => l.padStart(6)).join(''));
  for (const row of labels) {
    console.log(row.padEnd(12) + labels.map((col) => String(s.confusion[row]?.[col] ?? '.').padStart(6)).join(''));
  }
  const t = s.triage;
  console.log(
    `\ntriage: red-flag recall (either tier) ${pct(t.recallAny)} of ${t.flagged}; emergency ${pct(t.recall.emergency)}, soon ${pct(t.recall.soon)}; exact tier ${pct(t.exactTier)}`,
  );
  console.log(`        false alarms ${pct(t.falseAlarm)} of ${t.unflagged} texts with no sign; ordinary soreness alarmed ${pct(t.sorenessFalseAlarm)} of ${t.soreness}`);
  // Misses are listed for the tuning part only: reading the held-out misses would be tuning on them.
  if (verbose && part === 'tuning') {
    console.log('\nmisses:');
    for (const m of s.misses) console.log(`  ${m}`);
  }
}
