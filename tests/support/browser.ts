import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { AppStack } from '../../src/local/stack.ts';

/** Debian's Chromium, which `.ci/run` installs; browser tests skip (and say so) without it. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export function warnIfNoChromium(file: string) {
  if (!CHROMIUM) console.warn(`${file}: no Chromium at /usr/bin/chromium; install it (apt-get install chromium) to run the browser test`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM!,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A test stack and a browser for one test file, started and stopped around it (nothing without Chromium). */
export function browserAndStack(start: () => Promise<AppStack>) {
  const ctx = {} as { stack: AppStack; browser: Browser };
  beforeAll(async () => {
    if (!CHROMIUM) return;
    ctx.stack = await start();
    ctx.browser = await launchChromium();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.stack?.stop();
  });
  return ctx;
}
