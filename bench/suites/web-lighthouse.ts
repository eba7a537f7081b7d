import { launch } from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../tests/support/browser.js';
import { alternate, ratioFields, summarize, type Rounds } from '../lib/alternate.js';
import type { Figure } from '../lib/report.js';
import { median } from '../lib/stats.js';

/** apps/web/src/session/session-store.ts */
const REFRESH_TOKEN_KEY = 'hivesync.refresh_token';

/**
 * (b) Lighthouse 12 (desktop preset: no mobile emulation, simulated desktop throttling) performance and accessibility
 * scores of a signed-in page against another signed-in page, in alternating rounds in one Chromium whose localStorage
 * holds a refresh token (Lighthouse is told not to reset storage, so the app restores the session as in a real tab).
 */
export async function lighthouseScores(options: {
  rounds: number;
  origin: string;
  refreshToken: string;
  subject: { url: string; label: string };
  baseline: { url: string; label: string };
  suite: string;
}): Promise<Figure[]> {
  process.env.CHROME_PATH ??= CHROMIUM;
  const chrome = await launch({ chromePath: process.env.CHROME_PATH, chromeFlags: CHROMIUM_FLAGS });
  try {
    const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
    const page = await browser.newPage();
    await page.goto(`${options.origin}/login`);
    // (The bench's tsconfig has no DOM types: what runs in the page is written as an expression.)
    await page.evaluate(
      `localStorage.setItem(${JSON.stringify(REFRESH_TOKEN_KEY)}, ${JSON.stringify(options.refreshToken)})`,
    );
    await page.close();
    await browser.disconnect();

    const scores = { subject: [] as Score[], baseline: [] as Score[] };
    // Lighthouse's own trace recording fails now and then on a loaded machine (NO_NAVSTART, NO_FCP): such a run is
    // measured again, up to twice; a page that fails three times in a row is an error.
    const run = async (url: string, attempt = 1): Promise<Score> => {
      const result = await lighthouse(
        url,
        {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
          disableStorageReset: true,
        },
        desktopConfig,
      );
      const lhr = result?.lhr;
      if (!lhr) throw new Error(`Lighthouse gave no result for ${url}`);
      if (lhr.runtimeError) {
        if (attempt < 3) return run(url, attempt + 1);
        throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      }
      // A page that bounced to the login page would score the wrong page.
      if (new URL(lhr.finalDisplayedUrl).pathname.startsWith('/login'))
        throw new Error(`Lighthouse saw the login page instead of ${url}: the session was not restored`);
      const perf = lhr.categories.performance?.score;
      const a11y = lhr.categories.accessibility?.score;
      if (perf == null || a11y == null) throw new Error(`Lighthouse scored nothing for ${url}`);
      return { perf: Math.round(perf * 100), a11y: Math.round(a11y * 100) };
    };
    const perf = await alternate({
      rounds: options.rounds,
      baseline: async () => {
        const s = await run(options.baseline.url);
        scores.baseline.push(s);
        return s.perf;
      },
      subject: async () => {
        const s = await run(options.subject.url);
        scores.subject.push(s);
        return s.perf;
      },
    });
    // The accessibility scores of the same runs: pairs in the same alternating order.
    const a11y = summarize(
      scores.baseline.map((s) => s.a11y),
      scores.subject.map((s) => s.a11y),
    );
    return [figure(options, 'performance', perf, 90), figure(options, 'accessibility', a11y, 95)];
  } finally {
    chrome.kill();
  }
}

interface Score {
  perf: number;
  a11y: number;
}

function figure(
  options: { subject: { label: string }; baseline: { label: string }; suite: string },
  category: string,
  r: Rounds,
  goal: number,
): Figure {
  const value = median(r.subjects);
  return {
    suite: options.suite,
    name: `Lighthouse ${category} score of ${options.subject.label}, signed in (desktop preset)`,
    value: `median ${value} (${r.subjects.join(', ')})`,
    baseline: `${options.baseline.label}, same runs: median ${median(r.baselines)}`,
    ...ratioFields(r),
    goal: `≥ ${goal}`,
    met: value >= goal,
  };
}
