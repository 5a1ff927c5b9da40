/**
 * Scores the understanding layer on the labeled corpus (eval/corpus/*.jsonl). Used by
 * `npm run eval` and by tests/unit/understanding-corpus.test.ts, which fails `npm test` when the
 * figures drop below the bar. Emails go through the same path as the inbound-email function:
 * built as MIME and parsed by its parser (the body cut to its first 4 KB, the quoted thread and
 * signature cut by email-reply-parser), then the core's reading of the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseEmail } from '../src/adapters/email/parse.ts';
import { buildMime } from '../src/adapters/ses/mime.ts';
import { readEmail } from '../src/core/inbound-email.ts';
import { understand, type Understanding } from '../src/core/understanding/index.ts';

export interface Example {
  text: string;
  channel: 'sms' | 'email';
  subject?: string;
  painCheckOpen: boolean;
  intent: string;
  triage: 'none' | 'soon' | 'emergency';
  topic?: string;
  score?: number;
  day?: string;
  pauseDays?: number;
  note?: string;
}

/** The tuning part is every corpus/tuning*.jsonl file; the held-out part is held-out.jsonl alone. */
export function loadCorpus(part: 'tuning' | 'held-out'): Example[] {
  const dir = new URL('./corpus/', import.meta.url);
  const files = readdirSync(dir).filter((f) => (part === 'tuning' ? /^tuning.*\.jsonl$/.test(f) : f === 'held-out.jsonl'));
  return files.flatMap((f) =>
    readFileSync(new URL(f, dir), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Example),
  );
}

export async function read(ex: Example): Promise<Understanding> {
  const ctx = { painCheckOpen: ex.painCheckOpen };
  if (ex.channel === 'email') {
    // As /dev/email does: real MIME, so the eval reads what production's parser hands the core.
    const parsed = await parseEmail(await buildMime({ from: 'lifter@example.com', to: 'coach@legday.local', subject: ex.subject ?? '', text: ex.text }));
    return readEmail(parsed.subject, parsed.text, ctx);
  }
  return understand(ex.text, ctx);
}

export interface Scores {
  total: number;
  intentAccuracy: number;
  perIntent: Record<string, { precision: number; recall: number; n: number }>;
  confusion: Record<string, Record<string, number>>;
  triage: {
    flagged: number;
    unflagged: number;
    soreness: number;
    recallAny: number;
    recall: { emergency: number; soon: number };
    exactTier: number;
    falseAlarm: number;
    sorenessFalseAlarm: number;
  };
  misses: string[];
}

export async function score(examples: readonly Example[]): Promise<Scores> {
  const confusion: Record<string, Record<string, number>> = {};
  const misses: string[] = [];
  let correct = 0;
  let flagged = 0, caught = 0, exact = 0, unflagged = 0, falseAlarms = 0, soreness = 0, sorenessAlarms = 0;
  const tierTotals = { emergency: 0, soon: 0 };
  const tierCaught = { emergency: 0, soon: 0 };
  for (const ex of examples) {
    const u = await read(ex);
    const got = u.intent.kind;
    (confusion[ex.intent] ??= {})[got] = (confusion[ex.intent]![got] ?? 0) + 1;
    confusion[got] ??= {};
    if (got === ex.intent) correct++;
    else misses.push(`intent ${ex.intent} read as ${got}: ${JSON.stringify(ex.text.slice(0, 140))}`);
    const tier = u.triage.tier;
    if (ex.triage === 'none') {
      unflagged++;
      if (tier !== 'none') {
        falseAlarms++;
        misses.push(`false alarm (${tier}: ${u.triage.signs.join(',')}): ${JSON.stringify(ex.text.slice(0, 140))}`);
      }
      if (ex.intent === 'soreness' || ex.intent === 'score') {
        soreness++;
        if (tier !== 'none') sorenessAlarms++;
      }
    } else {
      flagged++;
      tierTotals[ex.triage]++;
      if (tier !== 'none') {
        caught++;
        tierCaught[ex.triage]++;
      } else {
        misses.push(`missed ${ex.triage}: ${JSON.stringify(ex.text.slice(0, 160))}`);
      }
      if (tier === ex.triage) exact++;
    }
  }
  const labels = Object.keys(confusion);
  const perIntent: Scores['perIntent'] = {};
  for (const l of labels) {
    const n = Object.values(confusion[l] ?? {}).reduce((a, b) => a + b, 0);
    const tp = confusion[l]?.[l] ?? 0;
    const predicted = labels.reduce((sum, row) => sum + (confusion[row]?.[l] ?? 0), 0);
    perIntent[l] = { precision: predicted ? tp / predicted : 1, recall: n ? tp / n : 1, n };
  }
  const ratio = (a: number, b: number) => (b ? a / b : 1);
  return {
    total: examples.length,
    intentAccuracy: ratio(correct, examples.length),
    perIntent,
    confusion,
    triage: {
      flagged,
      unflagged,
      soreness,
      recallAny: ratio(caught, flagged),
      recall: { emergency: ratio(tierCaught.emergency, tierTotals.emergency), soon: ratio(tierCaught.soon, tierTotals.soon) },
      exactTier: ratio(exact, flagged),
      falseAlarm: ratio(falseAlarms, unflagged),
      sorenessFalseAlarm: ratio(sorenessAlarms, soreness),
    },
    misses,
  };
}
