import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { validator } from 'hono/validator';
import * as v from 'valibot';
import { normalizeEmail } from '../../core/inbound-email.ts';
import { isAllowedCountry } from '../../core/limits.ts';
import { normalizePhone } from '../../core/phone.ts';
import { isValidZone, resolveZone } from '../../core/zones.ts';
import { signUpUser, type SignUpDeps } from '../../use-cases/sign-up.ts';
import { CONSENT_TEXT, EMPTY_FORM, signUpPage, signUpResultPage, type FieldErrors, type SignUpForm } from '../pages/sign-up.ts';
import type { AbuseLimits } from '../../core/limits.ts';
import { reasons } from '../validate.ts';

export interface SignUpRouteDeps {
  signUp: SignUpDeps;
  limits: AbuseLimits;
  /** Shown on the page: where to text and where to email. */
  serviceNumber: string;
  serviceEmail: string;
  /** The client's address as the platform reports it (API Gateway's sourceIp, the local socket); never a header a client sets. */
  clientOf?: (c: Context) => string | null | undefined;
}

/** The per-client counter keys on a hash: no IP address is stored. */
const clientKey = (address: string | null | undefined) =>
  address ? createHash('sha256').update(`legday-signup-client:${address}`).digest('base64url').slice(0, 22) : null;

// Lengths are judged field by field below (a too-long value is simply not a valid one), so the
// person gets a message next to the field rather than a blanket refusal.
const formSchema = v.object({
  phone: v.optional(v.string(), ''),
  email: v.optional(v.string(), ''),
  timezone: v.optional(v.string(), ''),
  channels: v.fallback(v.picklist(['sms', 'email', 'both']), 'sms'),
  consent: v.optional(v.string()),
});

/** The form's fields; a repeated field counts once (its last value), as a browser never repeats one. */
const signUpForm = validator('form', async (_parsed, c) => {
  const parsed = v.safeParse(formSchema, Object.fromEntries(new URLSearchParams(await c.req.text())));
  return parsed.success ? parsed.output : c.text(`Bad request: ${reasons(parsed.issues)}`, 400);
});

/** GET / and POST /: the sign-up page. Every refusal re-renders the form with the person's values. */
export function signUpRoutes(deps: SignUpRouteDeps) {
  const app = new Hono();
  const form = (c: Context, f: SignUpForm, errors: FieldErrors, status: 200 | 400) =>
    c.html(signUpPage({ form: f, errors, serviceNumber: deps.serviceNumber }), status);

  app.get('/', (c) => form(c, EMPTY_FORM, {}, 200));

  app.post('/', bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('Form too large', 413) }), signUpForm, async (c) => {
    const data = c.req.valid('form');
    const values: SignUpForm = {
      phone: data.phone.trim(),
      email: data.email.trim(),
      timezone: data.timezone.trim(),
      channels: data.channels,
      consent: data.consent === 'yes',
    };
    const errors: FieldErrors = {};
    const wantsSms = values.channels !== 'email';
    const wantsEmail = values.channels !== 'sms';
    let phone: string | null = null;
    if (wantsSms) {
      phone = values.phone && values.phone.length <= 40 ? normalizePhone(values.phone) : null;
      if (!values.phone) errors.phone = 'Enter your mobile number, or choose email only.';
      else if (!phone) errors.phone = 'That is not a phone number we can text. Include the country code, e.g. +44 7700 900123.';
      else if (!isAllowedCountry(phone, deps.limits)) errors.phone = 'Sorry, we can only text numbers in the countries we serve.';
    }
    let email: string | null = null;
    if (wantsEmail) {
      email = values.email ? normalizeEmail(values.email) : null;
      if (!values.email) errors.email = 'Enter your email address, or choose texts only.';
      else if (!email) errors.email = 'That email address does not look right. Check for typos, e.g. you@example.com.';
    }
    const zone = values.timezone && values.timezone.length <= 64 ? (isValidZone(values.timezone) ? values.timezone : resolveZone(values.timezone)) : null;
    if (!zone) errors.timezone = 'Pick a time zone from the list, e.g. Europe/London or America/New_York.';
    if (!values.consent) errors.consent = 'Please tick the box so we know you want these messages.';
    if (Object.keys(errors).length) return form(c, values, errors, 400);

    const result = await signUpUser(deps.signUp, { phone, email, timezone: zone!, consentText: CONSENT_TEXT, client: clientKey(deps.clientOf?.(c)) });
    const textLine = `Text LEGS DONE to ${deps.serviceNumber} after your next leg day. Your first text confirms your number.`;
    const linkLine = 'Your first text will ask whether to link this email to your number: reply YES once you have followed the emailed link.';
    const emailLine = `Then email LEGS DONE to ${deps.serviceEmail} after your next leg day.`;
    // Whatever is known about the address or the number, the page says the same: a stranger
    // learns nothing from it. Only a cap for everyone (429) and a failed send (503) differ.
    switch (result.outcome) {
      case 'limited':
        return c.html(signUpResultPage({ ok: false, title: 'Please try again later', lines: ['Too many sign-ups for now. Try again in an hour.'] }), 429);
      case 'send-failed':
        return c.html(
          signUpResultPage({ ok: false, title: "We couldn't send the email", lines: ['Your sign-up is saved, but the confirmation email did not go out. Submit the form again in a minute.'] }),
          503,
        );
      default:
        if (email) {
          return c.html(
            signUpResultPage({
              ok: true,
              title: 'Check your inbox',
              lines: [
                `If ${email} can get our emails, a confirmation link is on its way. Nothing is emailed until you follow it.`,
                ...(phone ? [textLine, linkLine] : [emailLine]),
              ],
            }),
            200,
          );
        }
        return c.html(signUpResultPage({ ok: true, title: 'Almost done', lines: [textLine] }), 200);
    }
  });
  return app;
}
