import { Hono } from 'hono';
import { z } from 'zod';
import type { AdjustableClock } from '../../adapters/clock.ts';
import { signTwilioRequest } from '../../adapters/twilio/signature.ts';
import { replyText } from '../../adapters/twilio/twiml.ts';
import { normalizePhone } from '../../core/phone.ts';
import type { Outbox } from '../../local/outbox.ts';
import type { Store } from '../../use-cases/ports.ts';
import type { SweepResult } from '../../use-cases/send-due-reminders.ts';
import { simulatorPage } from '../pages/simulator.ts';

export interface DevDeps {
  clock: AdjustableClock;
  store: Store;
  outbox: Outbox;
  sweep: (now: Date) => Promise<SweepResult>;
  authToken: string;
  publicUrl: string;
  /** The service's own number, as Twilio would put it in `To`. */
  serviceNumber: string;
  accountSid: string;
  newId: () => string;
}

const smsSchema = z.object({ from: z.string().min(1), body: z.string().max(1600) });
const clockSchema = z.object({ advanceMinutes: z.number().int().min(0).max(60 * 24 * 60) });

/**
 * Local-only developer surface. /dev/sms signs a real Twilio-shaped webhook and sends it through
 * the app, so it exercises exactly the path a real text takes.
 */
export function devRoutes(deps: DevDeps, fetchApp: (req: Request) => Promise<Response> | Response) {
  const app = new Hono();

  app.get('/', (c) => c.html(simulatorPage()));

  app.post('/sms', async (c) => {
    const input = smsSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: 'send JSON {"from": "+15551234567", "body": "legs done"}' }, 400);
    const from = normalizePhone(input.data.from);
    if (!from) return c.json({ error: `"${input.data.from}" is not a phone number; use E.164, e.g. +15551234567` }, 400);
    const params: Record<string, string> = {
      AccountSid: deps.accountSid,
      MessageSid: 'SM' + deps.newId().replace(/-/g, '').slice(0, 32).padEnd(32, '0'),
      From: from,
      To: deps.serviceNumber,
      Body: input.data.body,
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

  app.get('/outbox', (c) => {
    const raw = phoneQuery(c.req.query('to'));
    const to = raw ? normalizePhone(raw) : undefined;
    if (raw && !to) return c.json({ error: `"${raw}" is not a phone number` }, 400);
    return c.json({ messages: deps.outbox.list(to ?? undefined).map(({ kind: _kind, ...m }) => m) });
  });

  app.post('/clock', async (c) => {
    const input = clockSchema.safeParse(await c.req.json().catch(() => null));
    if (!input.success) return c.json({ error: 'send JSON {"advanceMinutes": N}, N a whole number from 0 to 86400' }, 400);
    const now = deps.clock.advance(input.data.advanceMinutes);
    const result = await deps.sweep(now);
    return c.json({ now: now.toISOString(), sent: result.sent.map(({ to, stepId, body }) => ({ to, stepId, body })) });
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
    const reminders = (await Promise.all(series.map((s) => deps.store.listReminders(to, s)))).flat();
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
