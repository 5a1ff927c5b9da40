import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import * as v from 'valibot';
import type { AdjustableClock } from '../adapters/clock.ts';
import { signTwilioRequest } from '../adapters/twilio/signature.ts';
import { replyText } from '../adapters/twilio/twiml.ts';
import { buildMime } from '../adapters/ses/mime.ts';
import { normalizeEmail } from '../core/inbound-email.ts';
import { normalizePhone } from '../core/phone.ts';
import type { InboundEmail, InboundEmailResult } from '../use-cases/handle-inbound-email.ts';
import type { Outbox } from './outbox.ts';
import type { ReminderRepository, ReminderView, UserRepository } from '../use-cases/ports.ts';
import type { SweepResult } from '../use-cases/send-due-reminders.ts';
import { simulatorPage } from './simulator-page.ts';

export interface DevDeps {
  clock: AdjustableClock;
  store: UserRepository & ReminderRepository;
  outbox: Outbox;
  sweep: (now: Date) => Promise<SweepResult>;
  authToken: string;
  publicUrl: string;
  /** The service's own number, as Twilio would put it in `To`. */
  serviceNumber: string;
  accountSid: string;
  newId: () => string;
  /** The inbound email path (the same use case the inbound-email Lambda runs). */
  receiveEmail: (mail: InboundEmail) => Promise<InboundEmailResult>;
  /** The service's own address, as the To of a simulated email. */
  serviceEmail: string;
  /** The local SES web viewer. */
  sesViewerUrl: string;
}

const smsSchema = v.object({ from: v.pipe(v.string(), v.minLength(1)), body: v.pipe(v.string(), v.maxLength(1600)) });
const emailSchema = v.object({
  from: v.pipe(v.string(), v.minLength(3), v.maxLength(254)),
  subject: v.optional(v.pipe(v.string(), v.maxLength(998)), ''),
  text: v.optional(v.pipe(v.string(), v.maxLength(100_000)), ''),
});
const clockSchema = v.object({
  advanceMinutes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60 * 24 * 60)),
  outage: v.optional(v.boolean(), false),
});

/**
 * A Hono validator for a /dev JSON body (localJsonOnly has already required the JSON type):
 * the typed body, or a 400 saying what to send.
 */
const json = <S extends v.GenericSchema>(schema: S, usage: string) =>
  validator('json', (body, c) => {
    const parsed = v.safeParse(schema, body);
    return parsed.success ? (parsed.output as v.InferOutput<S>) : c.json({ error: usage }, 400);
  });

/** The sweeper runs every minute: a replay never sweeps twice within one. */
const SWEEP_EVERY_MS = 60_000;
/** A safety stop for the replay loop (60 days of one-minute sweeps is 86,400). */
const MAX_REPLAY_SWEEPS = 100_000;

/** Hosts a browser on this machine names as its Origin. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Any web page can make a browser POST text/plain to localhost (no CORS preflight for that). So a
 * /dev POST must be application/json (which a cross-site page cannot send without a preflight we
 * never answer), and an Origin, when there is one, must be this machine. curl sends no Origin.
 */
export function localJsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') return c.json({ error: 'send Content-Type: application/json' }, 415);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let host = '';
      try {
        host = new URL(origin).hostname;
      } catch {
        host = '';
      }
      if (!LOCAL_HOSTS.has(host)) return c.json({ error: 'the dev surface only answers pages on this machine' }, 403);
    }
    await next();
  };
}

/**
 * Local-only developer surface. /dev/sms signs a real Twilio-shaped webhook and sends it through
 * the app, so it exercises exactly the path a real text takes.
 */
export function devRoutes(deps: DevDeps, fetchApp: (req: Request) => Promise<Response> | Response) {
  const app = new Hono();
  app.use('*', localJsonOnly());
  // Hono's JSON validator refuses a malformed body with an HTTPException: answered as JSON here too.
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) return c.json({ error: err.message }, err.status);
    throw err;
  });

  app.get('/', (c) => c.html(simulatorPage({ sesViewerUrl: deps.sesViewerUrl, serviceEmail: deps.serviceEmail })));

  app.post('/sms', json(smsSchema, 'send JSON {"from": "+15551234567", "body": "legs done"}'), async (c) => {
    const input = c.req.valid('json');
    const from = normalizePhone(input.from);
    if (!from) return c.json({ error: `"${input.from}" is not a phone number; use E.164, e.g. +15551234567` }, 400);
    const params: Record<string, string> = {
      AccountSid: deps.accountSid,
      MessageSid: 'SM' + deps.newId().replace(/-/g, '').slice(0, 32).padEnd(32, '0'),
      From: from,
      To: deps.serviceNumber,
      Body: input.body,
      NumMedia: '0',
    };
    const path = '/webhooks/twilio/sms';
    const res = await fetchApp(
      new Request(new URL(path, 'http://local'), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(deps.authToken, deps.publicUrl + path, params),
        },
        body: new URLSearchParams(params).toString(),
      }),
    );
    const text = await res.text();
    if (!res.ok) return c.json({ error: text }, res.status as 400);
    const reply = replyText(text);
    if (reply !== null) {
      deps.outbox.record({ to: from, channel: 'sms', body: reply, sentAt: deps.clock.now().toISOString(), kind: 'reply' });
    }
    return c.json({ reply });
  });

  // An email as SES would receive it: built as real MIME, then parsed by the same path as the Lambda's.
  app.post('/email', json(emailSchema, 'send JSON {"from": "you@example.com", "subject": "legs done", "text": ""}'), async (c) => {
    const input = c.req.valid('json');
    const from = normalizeEmail(input.from);
    if (!from) return c.json({ error: `"${input.from}" is not an email address` }, 400);
    const id = deps.newId();
    const raw = await buildMime({
      from,
      to: deps.serviceEmail,
      subject: input.subject,
      text: input.text,
      messageId: `<${id}@dev.legday.local>`,
      date: deps.clock.now(),
    });
    const before = deps.outbox.list(from).length;
    // Locally nothing checks SPF or DKIM, so the simulated sender counts as authenticated.
    const pass = 'PASS' as const;
    const result = await deps.receiveEmail({ raw, sesMessageId: id, verdicts: { spam: pass, virus: pass, spf: pass, dkim: pass, dmarc: pass } });
    const reply = deps.outbox.list(from).slice(before).find((m) => m.channel === 'email');
    return c.json({ outcome: result.outcome, reply: reply ? { subject: reply.subject, text: reply.body } : null });
  });

  app.get('/outbox', async (c) => {
    const raw = c.req.query('to')?.trim();
    const to = raw ? (raw.includes('@') ? normalizeEmail(raw) : normalizePhone(phoneQuery(raw)!)) : undefined;
    if (raw && !to) return c.json({ error: `"${raw}" is not a phone number or an email address` }, 400);
    const messages = deps.outbox.list(to ?? undefined);
    // Scheduled texts show what their delivery report said (Twilio's status callback, as stored).
    const views = new Map<string, Promise<ReminderView[]>>();
    const reminders = (userId: string, series: string) => {
      const key = `${userId}#${series}`;
      if (!views.has(key)) views.set(key, deps.store.listReminders(userId, series));
      return views.get(key)!;
    };
    const withDelivery = await Promise.all(
      messages.map(async ({ kind: _kind, unsubscribeUrl: _u, providerId, series, ...m }) => {
        if (!series || !m.stepId || !providerId) return m;
        const r = (await reminders(m.to, series)).find((v) => v.stepId === m.stepId && v.channel === m.channel);
        return { ...m, ...(r?.delivery ? { delivery: r.delivery } : {}), ...(r?.deliveryError ? { deliveryError: r.deliveryError } : {}) };
      }),
    );
    return c.json({ messages: withDelivery });
  });

  // Time flows as in production: every moment in between at which something falls due is swept
  // at that moment (so each message goes at its own time), unless `outage` says the sweeper was
  // down, in which case the clock jumps and one sweep at the end finds the backlog.
  app.post('/clock', json(clockSchema, 'send JSON {"advanceMinutes": N} (N a whole number from 0 to 86400), optionally with "outage": true'), async (c) => {
    const input = c.req.valid('json');
    const target = deps.clock.now().getTime() + input.advanceMinutes * 60_000;
    const sent: SweepResult['sent'] = [];
    const jumpTo = (ms: number) => deps.clock.advance(Math.max(0, ms - deps.clock.now().getTime()) / 60_000);
    if (!input.outage) {
      let last = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < MAX_REPLAY_SWEEPS; i++) {
        const next = await deps.store.nextDueAt(new Date(target));
        if (!next) break;
        const at = Math.max(next.getTime(), last + SWEEP_EVERY_MS, deps.clock.now().getTime());
        if (at > target) break;
        const now = jumpTo(at);
        sent.push(...(await deps.sweep(now)).sent);
        last = now.getTime();
      }
    }
    const now = jumpTo(target);
    sent.push(...(await deps.sweep(now)).sent);
    return c.json({ now: now.toISOString(), sent: sent.map(({ to, stepId, body, sentAt }) => ({ to, stepId, body, sentAt })) });
  });

  app.get('/clock', (c) => c.json({ now: deps.clock.now().toISOString() }));

  // The number's latest leg day and its texts, for the simulator's timeline.
  app.get('/timeline', async (c) => {
    const raw = phoneQuery(c.req.query('to'));
    const to = raw ? normalizePhone(raw) : null;
    if (!to) return c.json({ error: 'give ?to=+15551234567' }, 400);
    const user = await deps.store.getUser(to);
    const now = deps.clock.now().toISOString();
    const last = user?.recent[0];
    if (!user || !last) return c.json({ now, timezone: user?.timezone ?? null, checkin: null, reminders: [] });
    const series = [last.id, ...(user.painTrack ? [user.painTrack.id] : [])];
    // The simulator is a phone: it draws the texts (someone on both channels has emails too).
    const reminders = (await Promise.all(series.map((s) => deps.store.listReminders(to, s)))).flat().filter((r) => r.channel === 'sms');
    reminders.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    return c.json({
      now,
      timezone: user.timezone,
      status: user.status,
      checkin: { at: last.at },
      nextLegDay: reminders.find((r) => r.stepId === 'pre-leg-day')?.dueAt ?? null,
      reminders,
    });
  });

  return app;
}

/** An unencoded "+" in a query string arrives as a space; put it back. */
function phoneQuery(raw: string | undefined): string | undefined {
  return raw?.trim().replace(/^(?=\d)/, '+');
}
