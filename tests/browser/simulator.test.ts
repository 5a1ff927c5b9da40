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

  it('"+1 day" replays the day: after an evening "legs done", each press shows that day\'s texts at their own times, and the timeline labels never overlap', async () => {
    const phone = '+15551234569';
    // A stack of its own whose clock starts on a Monday evening, 18:30 in New York.
    const evening = await startTestStack({}, new Date('2026-03-02T23:30:00Z'));
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(evening.url + '/dev');
    await page.fill('#from', phone);
    await page.dispatchEvent('#from', 'change');
    await page.fill('#body', 'legs done');
    await page.click('#send-btn');
    await page.locator('.msg.them', { hasText: 'Leg day logged' }).waitFor();
    // Each number's texts go up to 30 minutes (plan.json's spread) after their planned times, so
    // the days are counted from 19:30: heat, 48 h after 18:30 plus the offset, is then in its day.
    await page.click('#warp-hour');
    await page.locator('#clock', { hasText: '19:30' }).waitFor();

    await page.click('#warp-day');
    await page.locator('#timeline [data-step="ice-2"][data-status="sent"]').waitFor();
    await page.locator('.msg.them', { hasText: STEP_TEXT['ice-1']!.slice(0, 30) }).waitFor();
    await page.locator('.msg.them', { hasText: STEP_TEXT['ice-2']!.slice(0, 30) }).waitFor();
    await page.click('#warp-day');
    await page.locator('#timeline [data-step="heat"][data-status="sent"]').waitFor();
    await page.click('#warp-day');
    await page.locator('#timeline [data-step="mobility-1"][data-status="sent"]').waitFor();
    // Delivery reports (the stand-in's status callbacks) show per message, on the timeline and in the chat.
    await page.locator('#timeline [data-step="ice-1"][data-delivery="delivered"]').waitFor();
    expect(await page.locator('.msg.them[data-delivery="delivered"]').count()).toBeGreaterThanOrEqual(2);
    // Four texts, four different times: no burst in the chat.
    const metas = await page.locator('.msg.them .meta').allTextContents();
    const times = metas.slice(1).map((m) => m.split(' \u00b7 ')[0]);
    expect(new Set(times).size).toBe(times.length);

    // Every label's box is clear of every other.
    const boxes = (await page.locator('#timeline [data-label]').evaluateAll((els) =>
      els.map((e) => {
        const b = (e as unknown as { getBBox(): { x: number; y: number; width: number; height: number } }).getBBox();
        return { x: b.x, y: b.y, w: b.width, h: b.height, id: e.getAttribute('data-label') };
      }),
    )) as { x: number; y: number; w: number; h: number; id: string }[];
    expect(boxes.length).toBeGreaterThanOrEqual(6);
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.id} and ${b.id} overlap`).toBe(false);
      }
    }
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/simulator-replay.png', fullPage: true });
    await page.close();
    await evening.stop();
  });
});
