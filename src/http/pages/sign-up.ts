import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import { page } from './layout.ts';

export interface SignUpForm {
  phone: string;
  email: string;
  timezone: string;
  channels: 'sms' | 'email' | 'both';
  consent: boolean;
}

export type FieldErrors = Partial<Record<keyof SignUpForm, string>>;

/** The words of the consent box; stored with the sign-up as the record of what was agreed to. */
export const CONSENT_TEXT =
  'I agree to get about 6 recovery messages per leg day by the channel(s) I chose, plus back-care steps when I say my back hurts. Message and data rates may apply to texts. I can stop any time: text STOP, or use the unsubscribe link in any email.';

export const EMPTY_FORM: SignUpForm = { phone: '', email: '', timezone: '', channels: 'sms', consent: false };

/** GET /: the sign-up form, with the values and errors of a refused submission. */
export function signUpPage(opts: { form: SignUpForm; errors: FieldErrors; serviceNumber: string }) {
  const { form, errors } = opts;
  const err = (field: keyof SignUpForm) =>
    errors[field] ? html`<p class="error" id="${field}-error">${errors[field]}</p>` : '';
  const invalid = (field: keyof SignUpForm) => (errors[field] ? 'true' : 'false');
  const channel = (value: SignUpForm['channels'], label: string) =>
    html`<label class="choice"><input type="radio" name="channels" value="${value}" ${form.channels === value ? 'checked' : ''}> ${label}</label>`;
  const count = Object.keys(errors).length;
  return page(
    'Sign up for legday',
    html`<h1>legday</h1>
<p class="lead">Recovery coaching after leg day: ice, heat, mobility and a smarter warm-up, by text or email. Text LEGS DONE to ${opts.serviceNumber} after training.</p>
<form method="post" action="/" novalidate>
  ${count ? html`<div class="errors" role="alert">Please fix ${count === 1 ? 'the field' : `the ${count} fields`} marked below.</div>` : ''}
  <fieldset>
    <legend>How should we reach you?</legend>
    ${channel('sms', 'Texts')}
    ${channel('email', 'Email')}
    ${channel('both', 'Both')}
  </fieldset>
  <label for="phone">Mobile number</label>
  <input type="tel" id="phone" name="phone" autocomplete="tel" inputmode="tel" placeholder="+1 555 123 4567" value="${form.phone}" aria-invalid="${invalid('phone')}" aria-describedby="phone-hint phone-error">
  <p class="hint" id="phone-hint">With the country code. Your first text to us confirms it.</p>
  ${err('phone')}
  <label for="email">Email</label>
  <input type="email" id="email" name="email" autocomplete="email" placeholder="you@example.com" value="${form.email}" aria-invalid="${invalid('email')}" aria-describedby="email-hint email-error">
  <p class="hint" id="email-hint">We'll send a link to confirm it before anything else.</p>
  ${err('email')}
  <label for="timezone">Time zone</label>
  <input type="text" id="timezone" name="timezone" list="zones" autocomplete="off" placeholder="Europe/London" value="${form.timezone}" aria-invalid="${invalid('timezone')}" aria-describedby="timezone-hint timezone-error">
  <datalist id="zones"></datalist>
  <p class="hint" id="timezone-hint">Messages arrive between 8am and 8pm here.</p>
  ${err('timezone')}
  <label class="choice"><input type="checkbox" name="consent" value="yes" ${form.consent ? 'checked' : ''} aria-invalid="${invalid('consent')}"> ${CONSENT_TEXT}</label>
  ${err('consent')}
  <button type="submit">Sign up</button>
</form>
<script>${raw(ZONE_SCRIPT)}</script>`,
  );
}

/** The page after a sign-up was taken, or refused for a reason that is not a field's fault. */
export function signUpResultPage(opts: { ok: boolean; title: string; lines: string[] }) {
  return page(
    opts.title,
    html`<h1>${opts.title}</h1>
<div class="card ${opts.ok ? 'ok' : 'warn'}" role="${opts.ok ? 'status' : 'alert'}">${opts.lines.map((l) => html`<p>${l}</p>`)}</div>
<p><a href="/">Back to sign-up</a></p>`,
  );
}

/** The page a confirm or unsubscribe link opens: one button, so a mail scanner's GET changes nothing. */
export function linkPage(opts: { title: string; lines: string[]; button?: { label: string; action: string } }) {
  return page(
    opts.title,
    html`<h1>${opts.title}</h1>
<div class="card">${opts.lines.map((l) => html`<p>${l}</p>`)}
${opts.button ? html`<form method="post" action="${opts.button.action}" style="padding:0;box-shadow:none"><button type="submit">${opts.button.label}</button></form>` : ''}
</div>`,
  );
}

/** The page's one script: pre-fills the zone from the browser; the server checks whatever arrives. */
const ZONE_SCRIPT = `
  // Pre-fill the zone from the browser; the server checks whatever arrives.
  (function () {
    var tz = document.getElementById('timezone');
    try {
      if (!tz.value) tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
      var zones = Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [];
      var list = document.getElementById('zones');
      zones.forEach(function (z) { var o = document.createElement('option'); o.value = z; list.appendChild(o); });
    } catch (e) {}
  })();
`;

/** What the Content-Security-Policy allows to run: this script, by its hash, and nothing else. */
export const PAGE_SCRIPT_HASHES = [`'sha256-${createHash('sha256').update(ZONE_SCRIPT).digest('base64')}'`];
