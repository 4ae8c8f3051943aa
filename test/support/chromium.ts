/**
 * Debian's Chromium for the browser tests (and scripts/measure-dashboard.ts), driven by playwright-core.
 * `.ci/run` installs it; elsewhere a missing browser skips those tests with the reason, except under CI
 * where it must be there.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.MEMWATCHER_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests are skipped here, or `false` when they run. */
export const chromiumSkipReason: string | false =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `${CHROMIUM} is not installed (apt-get install chromium)`
    : false;

/**
 * Headless, sandbox off (tests run as root), and no background traffic: this machine's network is
 * closed, and Chromium would otherwise keep trying to reach Google's services.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
