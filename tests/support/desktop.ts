import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from './browser.js';
import { ROOT } from './server-process.js';

/** Debian's X virtual framebuffer: the desktop renderer runs in a real (virtual) display, in a real window. */
export const XVFB = '/usr/bin/Xvfb';

/** Whether the desktop UI test can run here; in CI a missing Xvfb or Chromium must fail the run, never skip it. */
export function desktopUiAvailable(): boolean {
  const inCi = process.env.CI === 'true' || process.env.CI === '1';
  const missing = [XVFB, CHROMIUM].filter((f) => !fs.existsSync(f));
  if (missing.length === 0 || inCi) return true; // in CI: run, and fail loudly at start
  console.warn(
    `\n  ⚠ ${missing.join(' and ')} missing: the desktop UI test is not run here (apt-get install xvfb chromium).\n`,
  );
  return false;
}

/** A running Xvfb display. */
export interface Display {
  /** Such as `:7`. */
  name: string;
  proc: ChildProcess;
}

/** Starts Xvfb on a free display number (it reports the number it took through -displayfd). */
export async function startXvfb(size = '1280x900x24'): Promise<Display> {
  if (!fs.existsSync(XVFB)) throw new Error(`${XVFB} is missing: apt-get install xvfb (the desktop UI test needs it)`);
  const proc = spawn(XVFB, ['-displayfd', '3', '-screen', '0', size, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const number = await new Promise<string>((resolve, reject) => {
    let got = '';
    (proc.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => {
      got += c.toString();
      if (got.includes('\n')) resolve(got.trim());
    });
    proc.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err}`)));
  });
  return { name: `:${number}`, proc };
}

/** Stops a process started here and waits for it. */
export async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/** Chromium showing one URL as an app window (`--app=`, no tabs or address bar) on `display`, driven over CDP. */
export interface AppWindow {
  proc: ChildProcess;
  browser: Browser;
  page: Page;
  profile: string;
}

/**
 * Opens `url` in Debian's Chromium in `--app` mode, not headless, on the Xvfb `display`, with the DevTools protocol on
 * a port Chromium picks; playwright-core connects to it and returns the app window's page.
 */
export async function openAppWindow(url: string, display: Display): Promise<AppWindow> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-desktop-chromium-'));
  // A fresh profile that offers to save no password: the sign-in form must not leave a bubble over the window.
  fs.mkdirSync(path.join(profile, 'Default'));
  fs.writeFileSync(
    path.join(profile, 'Default', 'Preferences'),
    JSON.stringify({ credentials_enable_service: false, profile: { password_manager_enabled: false } }),
  );
  const flags = CHROMIUM_FLAGS.filter((f) => f !== '--headless');
  const proc = spawn(
    CHROMIUM,
    [
      ...flags,
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      '--window-position=0,0',
      '--window-size=1280,900',
      '--password-store=basic',
      // No "unsupported command-line flag" bar for --no-sandbox (needed as root) across the top of the window.
      '--test-type',
      `--app=${url}`,
    ],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: profile, DISPLAY: display.name },
      stdio: ['ignore', 'ignore', 'pipe'],
      // A process group of its own, so that closing the window ends Chromium's helper processes too.
      detached: true,
    },
  );
  let err = '';
  const ws = await new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`chromium exited with ${code}:\n${err}`)));
  });
  const browser = await chromium.connectOverCDP(ws);
  const deadline = Date.now() + 30_000;
  let page: Page | undefined;
  while (!page && Date.now() < deadline) {
    page = browser.contexts().flatMap((c) => c.pages())[0];
    if (!page) await new Promise((r) => setTimeout(r, 100));
  }
  if (!page) throw new Error(`chromium opened no app window:\n${err}`);
  return { proc, browser, page, profile };
}

/** Closes the app window's Chromium and removes its profile. */
export async function closeAppWindow(win: AppWindow | undefined): Promise<void> {
  if (!win) return;
  await win.browser.close().catch(() => undefined);
  await stopProcess(win.proc);
  // Chromium's helper processes could outlive the browser and still be writing into the profile (a busy machine saw
  // ENOTEMPTY removing it): the whole group goes, and the removal retries while the last of them exit.
  try {
    process.kill(-win.proc.pid!, 'SIGKILL');
  } catch {
    // (the group is gone already)
  }
  fs.rmSync(win.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

// `HIVESYNC_DESKTOP_SCREENSHOTS=1 npx vitest run tests/e2e/desktop.e2e.test.ts` refreshes the pictures in
// docs/desktop.md.
const SCREENSHOTS = process.env.HIVESYNC_DESKTOP_SCREENSHOTS === '1';

/**
 * Saves docs/images/desktop-`name`.png when HIVESYNC_DESKTOP_SCREENSHOTS=1: the whole X display (the real window, as
 * a person sees it) with ImageMagick's `import`, or, where ImageMagick is missing, the page over CDP.
 */
export async function screenshotWindow(display: Display, page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  const file = path.join(ROOT, 'docs/images', `desktop-${name}.png`);
  const grab = spawnSync('import', ['-display', display.name, '-window', 'root', file], { encoding: 'utf8' });
  if (grab.error || grab.status !== 0) await page.screenshot({ path: file });
}
