import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SMS, STEP_TEXT } from '../../src/content/index.ts';
import { CHROMIUM, browserAndStack, warnIfNoChromium } from '../support/browser.ts';
import { startTestStack } from '../support/stack.ts';

/**
 * The simulator in a real browser: Debian's Chromium driven by playwright-core. `.ci/run` installs
 * Chromium; on a machine without it this file says so and skips.
 */
warnIfNoChromium('simulator.test.ts');

const ctx = browserAndStack(() => startTestStack());

describe.skipIf(!CHROMIUM)('the simulator page', () => {
  it.each([
    ['desktop', { width: 1280, height: 860 }],
    ['phone', { width: 390, height: 844 }],
  ] as const)('on a %s screen: text "legs done", warp to the next message, see it in the chat and on the timeline, then "pain"', async (name, viewport) => {
    const phone = name === 'desktop' ? '+15551234567' : '+15551234568';
    const page = await ctx.browser.newPage({ viewport });
    await page.goto(ctx.stack.url + '/dev');
    await page.fill('#from', phone);
    await page.dispatchEvent('#from', 'change');

    await page.fill('#body', 'legs done');
    await page.click('#send-btn');
    await page.locator('.msg.them', { hasText: 'Leg day logged' }).waitFor();
    await page.locator('.msg.me', { hasText: 'legs done' }).waitFor();
    await page.locator('#timeline [data-step="ice-1"][data-status="pending"]').waitFor();
    expect(await page.locator('#timeline [data-band="ice"]').count()).toBe(1);
    expect(await page.locator('#timeline [data-marker="now"]').count()).toBe(1);

    await page.click('#warp-next');
    await page.locator('#timeline [data-step="ice-1"][data-status="sent"]').waitFor();
    await page.locator('.msg.them', { hasText: STEP_TEXT['ice-1']!.slice(0, 30) }).waitFor();

    await page.fill('#body', 'pain');
    await page.click('#send-btn');
    await page.locator('.msg.them', { hasText: SMS.painEarly.slice(0, 30) }).waitFor();

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: `test-results/simulator-${name}.png`, fullPage: true });
    await page.close();
  });
});
