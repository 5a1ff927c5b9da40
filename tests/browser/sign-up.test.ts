import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linkIn, sesEmails } from '../support/email.ts';
import { CHROMIUM, browserAndStack, warnIfNoChromium } from '../support/browser.ts';
import { startTestStack } from '../support/stack.ts';

/**
 * The sign-up page in a real browser (Debian's Chromium via playwright-core): the zone comes from
 * the browser, a mistake is explained next to its field, and a good submission brings the
 * confirmation email to the local SES. Skips where Chromium is missing (`.ci/run` installs it).
 */
warnIfNoChromium('sign-up.test.ts');

const ctx = browserAndStack(() => startTestStack());

describe.skipIf(!CHROMIUM)('the sign-up page', () => {
  it.each([
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 860 }],
  ] as const)('on a %s screen: pre-fills the zone, explains a bad address, then signs up and the confirmation email arrives', async (name, viewport) => {
    const email = `browser-${name}@example.com`;
    const page = await ctx.browser.newPage({ viewport, timezoneId: 'Europe/Berlin' });
    await page.goto(ctx.stack.url + '/');
    expect(await page.inputValue('#timezone')).toBe('Europe/Berlin');
    // Nothing on the page is wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    await page.check('input[name="channels"][value="email"]');
    await page.fill('#email', 'not an email');
    await page.check('input[name="consent"]');
    await page.click('button[type="submit"]');
    await page.locator('#email-error', { hasText: 'does not look right' }).waitFor();
    expect(await page.inputValue('#timezone')).toBe('Europe/Berlin');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/sign-up-error-${name}.png`, fullPage: true });

    await page.fill('#email', email);
    await page.click('button[type="submit"]');
    await page.locator('h1', { hasText: 'Check your inbox' }).waitFor();
    await page.screenshot({ path: `test-results/sign-up-${name}.png`, fullPage: true });

    const [mail] = await sesEmails(ctx.stack, email);
    expect(mail?.subject).toBe('Confirm your email for legday');
    await page.goto(linkIn(mail!.body.text, '/email/confirm').replace(ctx.stack.publicUrl, ctx.stack.url));
    await page.click('button[type="submit"]');
    await page.locator('h1', { hasText: 'confirmed' }).waitFor();
    const user = await ctx.stack.store.getUser((await ctx.stack.store.emailOwner(email))!);
    expect(user?.email?.status).toBe('confirmed');
    expect(user?.timezone).toBe('Europe/Berlin');
    await page.close();
  });
});
