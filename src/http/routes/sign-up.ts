import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { normalizeEmail } from '../../core/inbound-email.ts';
import { isAllowedCountry } from '../../core/limits.ts';
import { normalizePhone } from '../../core/phone.ts';
import { isValidZone, resolveZone } from '../../core/zones.ts';
import { signUpUser, type SignUpDeps } from '../../use-cases/sign-up.ts';
import { CONSENT_TEXT, EMPTY_FORM, signUpPage, signUpResultPage, type FieldErrors, type SignUpForm } from '../pages/sign-up.ts';
import type { AbuseLimits } from '../../core/limits.ts';

export interface SignUpRouteDeps {
  signUp: SignUpDeps;
  limits: AbuseLimits;
  /** Shown on the page: where to text and where to email. */
  serviceNumber: string;
  serviceEmail: string;
}

// Lengths are judged field by field below (a too-long value is simply not a valid one), so the
// person gets a message next to the field rather than a blanket refusal.
const formSchema = z.object({
  phone: z.string().default(''),
  email: z.string().default(''),
  timezone: z.string().default(''),
  channels: z.enum(['sms', 'email', 'both']).catch('sms'),
  consent: z.string().optional(),
});

/** GET / and POST /: the sign-up page. Every refusal re-renders the form with the person's values. */
export function signUpRoutes(deps: SignUpRouteDeps) {
  const app = new Hono();
  const form = (c: Context, f: SignUpForm, errors: FieldErrors, status: 200 | 400) =>
    c.html(signUpPage({ form: f, errors, serviceNumber: deps.serviceNumber }), status);

  app.get('/', (c) => form(c, EMPTY_FORM, {}, 200));

  app.post('/', bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.text('Form too large', 413) }), async (c) => {
    const raw = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const data = formSchema.parse(raw);
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

    const result = await signUpUser(deps.signUp, { phone, email, timezone: zone!, consentText: CONSENT_TEXT });
    const textLine = `Text LEGS DONE to ${deps.serviceNumber} after your next leg day. Your first text confirms your number.`;
    const emailLine = `Then email LEGS DONE to ${deps.serviceEmail} after your next leg day.`;
    switch (result.outcome) {
      case 'confirm-email':
        return c.html(
          signUpResultPage({
            ok: true,
            title: 'Check your inbox',
            lines: [`We sent a confirmation link to ${email}. Nothing is emailed until you follow it.`, ...(phone ? [textLine] : [emailLine])],
          }),
          200,
        );
      case 'text-to-confirm':
        return c.html(signUpResultPage({ ok: true, title: 'Almost done', lines: [textLine] }), 200);
      case 'already-confirmed':
        return c.html(
          signUpResultPage({ ok: true, title: "You're already signed up", lines: ['Nothing changed. Log your next leg day and the follow-ups start.'] }),
          200,
        );
      case 'email-taken':
        return c.html(
          signUpResultPage({ ok: false, title: 'That email is already signed up', lines: ['It belongs to another sign-up. Use a different address, or sign up with that email alone.'] }),
          409,
        );
      case 'has-other-email':
        return c.html(
          signUpResultPage({ ok: false, title: 'This number has another email', lines: ['This number is already signed up with a different email address.'] }),
          409,
        );
      case 'phone-in-use':
        return c.html(
          signUpResultPage({
            ok: false,
            title: 'This number already texts legday',
            lines: [
              "An email can't be added to a number from this page: anyone can type a number here, and your recovery notes are yours.",
              'To get emails too, sign up with just your email address.',
            ],
          }),
          409,
        );
      case 'limited':
        return c.html(signUpResultPage({ ok: false, title: 'Please try again later', lines: ['Too many sign-ups for now. Try again in an hour.'] }), 429);
      case 'send-failed':
        return c.html(
          signUpResultPage({ ok: false, title: "We couldn't send the email", lines: ['Your sign-up is saved, but the confirmation email did not go out. Submit the form again in a minute.'] }),
          503,
        );
    }
  });
  return app;
}
