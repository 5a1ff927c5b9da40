import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { isValidTwilioSignature } from '../../adapters/twilio/signature.ts';
import { messagingResponse } from '../../adapters/twilio/twiml.ts';
import { normalizePhone } from '../../core/phone.ts';
import { handleInboundSms, type HandleSmsDeps } from '../../use-cases/handle-inbound-sms.ts';
import { linkQuestionFor } from '../../use-cases/link-email.ts';
import { recordDelivery } from '../../use-cases/record-delivery.ts';

export interface TwilioWebhookDeps {
  sms: HandleSmsDeps;
  authToken: string;
  /** The URL Twilio is configured with, without a trailing slash: signatures are computed over it. */
  publicUrl: string;
}

/** Twilio's webhook bodies are a few hundred bytes; anything near this is not Twilio. */
export const MAX_WEBHOOK_BYTES = 16 * 1024;

const inboundSchema = z.object({
  From: z.string().min(1, 'From is required'),
  Body: z.string().max(1600, 'Body is longer than any SMS').default(''),
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'MessageSid is not a Twilio message SID'),
  // Present when Twilio's Advanced Opt-Out handled the keyword (and replied) itself.
  OptOutType: z.enum(['STOP', 'START', 'HELP']).optional().catch(undefined),
});

/** A status callback: which message, its state, and the error code when it failed. */
const statusSchema = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'MessageSid is not a Twilio message SID'),
  MessageStatus: z.enum(['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'read'], {
    error: 'MessageStatus is not a Twilio message status',
  }),
  ErrorCode: z.string().regex(/^\d{1,6}$/, 'ErrorCode is not a Twilio error code').optional(),
  To: z.string().min(1, 'To is required'),
});
/** The reminder a status callback is about, named in the callback URL we gave Twilio (so it is signed too). */
const statusRefSchema = z.object({ u: z.string().min(1).max(300), s: z.string().min(1).max(100), k: z.string().min(1).max(100) });

/** Reads a Twilio form post and checks its signature over PUBLIC_URL + path + query: the params, or a refusal. */
async function signedForm(c: Context, deps: TwilioWebhookDeps): Promise<Record<string, string> | Response> {
  const form = new URLSearchParams(await c.req.text());
  const signed: Record<string, string> = {};
  for (const key of new Set(form.keys())) {
    // A repeated parameter is not something Twilio sends; refuse it rather than guess.
    if (form.getAll(key).length > 1) return c.text(`Bad request: parameter ${key} is repeated`, 400);
    signed[key] = form.get(key)!;
  }
  const url = deps.publicUrl + c.req.path + new URL(c.req.url).search;
  if (!isValidTwilioSignature(deps.authToken, c.req.header('x-twilio-signature'), url, signed)) {
    return c.text('Invalid Twilio signature', 403);
  }
  return signed;
}

export function twilioWebhookRoutes(deps: TwilioWebhookDeps) {
  const limit = bodyLimit({ maxSize: MAX_WEBHOOK_BYTES, onError: (c) => c.text('Request body too large', 413) });
  return new Hono()
  // Delivery reports for the texts the sweeper sent (the status callback each send asks for).
  .post('/status', limit, async (c) => {
    const signed = await signedForm(c, deps);
    if (signed instanceof Response) return signed;
    const parsed = statusSchema.safeParse(signed);
    if (!parsed.success) return c.text(`Bad request: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 400);
    const to = normalizePhone(parsed.data.To);
    if (!to) return c.text('Bad request: To is not a phone number', 400);
    const ref = statusRefSchema.safeParse({ u: c.req.query('u'), s: c.req.query('s'), k: c.req.query('k') });
    // A message sent without a reminder to report against (none today): acknowledged, nothing to store.
    if (!ref.success) return c.body(null, 204);
    await recordDelivery(deps.sms, {
      ref: { userId: ref.data.u, channel: 'sms', series: ref.data.s, stepId: ref.data.k },
      providerId: parsed.data.MessageSid,
      status: parsed.data.MessageStatus,
      errorCode: parsed.data.ErrorCode ?? null,
      at: deps.sms.now(),
      to,
    });
    return c.body(null, 204);
  })
  .post(
    '/sms',
    limit,
    async (c) => {
      const signed = await signedForm(c, deps);
      if (signed instanceof Response) return signed;
      const parsed = inboundSchema.safeParse(signed);
      if (!parsed.success) {
        return c.text(`Bad request: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 400);
      }
      const from = normalizePhone(parsed.data.From);
      if (!from) return c.text('Bad request: From is not a phone number', 400);
      // The MessageSid is covered by the signature and is the same on every retry of one message;
      // I-Twilio-Idempotency-Token is not signed, so it decides nothing.
      const dedupeKey = parsed.data.MessageSid;
      deps.sms.log.info('sms received', { from, messageSid: parsed.data.MessageSid, bytes: parsed.data.Body.length });
      const { reply, enrolled } = await handleInboundSms(deps.sms, {
        from,
        body: parsed.data.Body,
        dedupeKey,
        ...(parsed.data.OptOutType ? { optOutType: parsed.data.OptOutType } : {}),
      });
      // A number signed up on the page with an email is asked, once, whether to link the two.
      const question = enrolled ? await linkQuestionFor(deps.sms, from) : null;
      const messages = [reply, question].filter((m): m is string => m !== null);
      return c.body(messagingResponse(messages), 200, { 'Content-Type': 'text/xml; charset=utf-8' });
    },
  );
}
