import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import * as v from 'valibot';
import { isValidTwilioSignature } from '../../adapters/twilio/signature.ts';
import { messagingResponse } from '../../adapters/twilio/twiml.ts';
import { normalizePhone } from '../../core/phone.ts';
import { handleInboundSms, type HandleSmsDeps } from '../../use-cases/handle-inbound-sms.ts';
import { recordDelivery } from '../../use-cases/record-delivery.ts';
import { formFields, reasons } from '../validate.ts';

export interface TwilioWebhookDeps {
  sms: HandleSmsDeps;
  authToken: string;
  /** The URL Twilio is configured with, without a trailing slash: signatures are computed over it. */
  publicUrl: string;
}

/** Twilio's webhook bodies are a few hundred bytes; anything near this is not Twilio. */
export const MAX_WEBHOOK_BYTES = 16 * 1024;

const messageSid = v.pipe(
  v.string('MessageSid is required'),
  v.regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'MessageSid is not a Twilio message SID'),
);
const inboundSchema = v.object({
  From: v.pipe(v.string('From is required'), v.minLength(1, 'From is required')),
  Body: v.optional(v.pipe(v.string(), v.maxLength(1600, 'Body is longer than any SMS')), ''),
  MessageSid: messageSid,
  // Present when Twilio's Advanced Opt-Out handled the keyword (and replied) itself.
  OptOutType: v.fallback(v.optional(v.picklist(['STOP', 'START', 'HELP'])), undefined),
});

/** A status callback: which message, its state, and the error code when it failed. */
const statusSchema = v.object({
  MessageSid: messageSid,
  MessageStatus: v.picklist(
    ['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'read'],
    'MessageStatus is not a Twilio message status',
  ),
  ErrorCode: v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/, 'ErrorCode is not a Twilio error code'))),
  To: v.pipe(v.string('To is required'), v.minLength(1, 'To is required')),
});
/** The reminder a status callback is about, named in the callback URL we gave Twilio (so it is signed too). */
const id = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const statusRefSchema = v.object({ u: id(300), s: id(100), k: id(100) });

/**
 * A signed Twilio form post: the raw body is parsed once, into the fields Twilio's signature covers
 * (over PUBLIC_URL + path + query and every parameter), and the signature is checked on them
 * before anything else reads them (a forged request is refused whatever its Content-Type claims).
 * Only then are the same fields checked against the route's schema and handed to it as `form`.
 */
function signedTwilioForm<S extends v.GenericSchema<Record<string, string>>>(deps: TwilioWebhookDeps, schema: S) {
  return createMiddleware<{ Variables: { form: v.InferOutput<S> } }>(async (c, next) => {
    const form = await formFields(c);
    // A repeated parameter is not something Twilio sends; refuse it rather than guess.
    if ('repeated' in form) return c.text(`Bad request: parameter ${form.repeated} is repeated`, 400);
    const url = deps.publicUrl + c.req.path + new URL(c.req.url).search;
    if (!isValidTwilioSignature(deps.authToken, c.req.header('x-twilio-signature'), url, form.fields)) {
      return c.text('Invalid Twilio signature', 403);
    }
    const parsed = v.safeParse(schema, form.fields);
    if (!parsed.success) return c.text(`Bad request: ${reasons(parsed.issues)}`, 400);
    c.set('form', parsed.output);
    await next();
  });
}

export function twilioWebhookRoutes(deps: TwilioWebhookDeps) {
  const limit = bodyLimit({ maxSize: MAX_WEBHOOK_BYTES, onError: (c) => c.text('Request body too large', 413) });
  return new Hono()
  // Delivery reports for the texts the sweeper sent (the status callback each send asks for).
  .post('/status', limit, signedTwilioForm(deps, statusSchema), async (c) => {
    const report = c.var.form;
    const to = normalizePhone(report.To);
    if (!to) return c.text('Bad request: To is not a phone number', 400);
    const ref = v.safeParse(statusRefSchema, { u: c.req.query('u'), s: c.req.query('s'), k: c.req.query('k') });
    // A message sent without a reminder to report against (none today): acknowledged, nothing to store.
    if (!ref.success) return c.body(null, 204);
    await recordDelivery(deps.sms, {
      ref: { userId: ref.output.u, channel: 'sms', series: ref.output.s, stepId: ref.output.k },
      providerId: report.MessageSid,
      status: report.MessageStatus,
      errorCode: report.ErrorCode ?? null,
      at: deps.sms.now(),
      to,
    });
    return c.body(null, 204);
  })
  .post(
    '/sms',
    limit,
    signedTwilioForm(deps, inboundSchema),
    async (c) => {
      const sms = c.var.form;
      const from = normalizePhone(sms.From);
      if (!from) return c.text('Bad request: From is not a phone number', 400);
      // The MessageSid is covered by the signature and is the same on every retry of one message;
      // I-Twilio-Idempotency-Token is not signed, so it decides nothing.
      const dedupeKey = sms.MessageSid;
      deps.sms.log.info('sms received', { from, messageSid: sms.MessageSid, bytes: sms.Body.length });
      const { reply, linkQuestion } = await handleInboundSms(deps.sms, {
        from,
        body: sms.Body,
        dedupeKey,
        ...(sms.OptOutType ? { optOutType: sms.OptOutType } : {}),
      });
      // A number signed up on the page with an email is asked, once, whether to link the two.
      const messages = [reply, linkQuestion].filter((m): m is string => m !== null);
      return c.body(messagingResponse(messages), 200, { 'Content-Type': 'text/xml; charset=utf-8' });
    },
  );
}
