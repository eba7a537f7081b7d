import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../tests/support/browser.js';
import { alternate, ratioFields, type Rounds } from '../lib/alternate.js';
import { call, ROOT, startHiveSync } from '../lib/processes.js';
import type { Figure, Suite } from '../lib/report.js';
import { median, ms } from '../lib/stats.js';
import { lighthouseScores } from './web-lighthouse.js';

const SUITE = 'web';
const REPOS = path.resolve(process.env.HIVESYNC_TEST_REPOS ?? path.join(ROOT, '..', 'shared', 'data', 'repos'));
const DIST = path.join(ROOT, 'apps/web/dist');
/** The initial JavaScript budget of the login and project pages, gzip (issue #14). */
const JS_BUDGET_BYTES = 200 * 1024;
const BIG_FILE_LINES = 20_000;
const BIG_FILE = 'bench/generated-20000.js';
/** A real express file for Lighthouse. */
const EXPRESS_FILE = 'lib/application.js';
/** A search on express with results in many files. */
const SEARCH = 'function';
/** apps/web/src/session/session-store.ts */
const REFRESH_TOKEN_KEY = 'hivesync.refresh_token';

/**
 * The web app's figures (issue #14): (a) initial JS gzip of the login and project pages from the Vite manifest
 * against the 200 KB budget; (b) Lighthouse performance and accessibility of the file view of an express file,
 * signed in, against the projects page in alternating rounds; (c) a 20,000-line file: from its bytes arriving to
 * CodeMirror's first paint, against the same JSON parsed into a plain <pre> in the same page; (d) search results:
 * from the API's answer to their first paint, against the same answer rendered as a plain list.
 */
export const web: Suite = {
  name: SUITE,
  embeddedOnly: true,
  async run({ rounds }): Promise<Figure[]> {
    const figures = initialJs();
    const express = path.join(REPOS, 'express.git');
    if (!fs.existsSync(express)) {
      console.log(`  web: the browser figures are skipped, no ${express} (see README, Tests)`);
      return figures;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-bench-web-'));
    const hive = await startHiveSync({ HIVESYNC_ALLOW_LOCAL_REPOS: 'true', HIVESYNC_LOG_LEVEL: 'error' });
    let browser: Browser | undefined;
    try {
      const remote = withBigFile(express, dir);
      const { token, refreshToken } = await register(hive.url);
      const json = async <T>(method: string, url: string, body?: unknown): Promise<T> =>
        (await (await call(`${hive.url}${url}`, method, body, token)).json()) as T;
      const project = await json<{ id: string }>('POST', '/api/v1/projects', { name: 'express', repo_url: remote });
      const { sync_id } = await json<{ sync_id: string }>('POST', '/api/v1/repo/sync', { project_id: project.id });
      let commit = '';
      for (;;) {
        const s = await json<{ status: string; commit: string; error: unknown }>('GET', `/api/v1/repo/sync/${sync_id}`);
        if (s.status === 'failed') throw new Error(`sync failed: ${JSON.stringify(s.error)}`);
        if (s.status === 'completed') {
          commit = s.commit;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const blob = (file: string) => `${hive.url}/projects/${project.id}/blob/${commit}/${file}`;

      browser = await launchChromium();
      const page = await signedInPage(browser, hive.url, refreshToken);
      const fileJson = await (
        await call(
          `${hive.url}/api/v1/repo/file?project_id=${project.id}&path=${encodeURIComponent(BIG_FILE)}&commit=${commit}`,
          'GET',
          undefined,
          token,
        )
      ).text();
      // Warm the app's chunks (CodeMirror, the languages) so that each round measures the file, not the first load.
      await paintAfterResponse(page, blob(EXPRESS_FILE), '/api/v1/repo/file', '.cm-content .cm-line');
      const bigFile = await alternate({
        rounds,
        baseline: () => plainRender(page, fileJson, 'pre'),
        subject: () => paintAfterResponse(page, blob(BIG_FILE), '/api/v1/repo/file', '.cm-content .cm-line'),
      });
      figures.push(
        timingFigure(
          `${BIG_FILE_LINES.toLocaleString('en')}-line file (${kb(fileJson.length)} of JSON): its bytes arriving → CodeMirror's first paint`,
          bigFile,
          'the same JSON parsed into a plain <pre> in the same page, to its first paint',
          300,
        ),
      );

      const searchUrl = `${hive.url}/projects/${project.id}/search?q=${encodeURIComponent(SEARCH)}`;
      const searchJson = await (
        await call(
          `${hive.url}/api/v1/repo/search?project_id=${project.id}&q=${encodeURIComponent(SEARCH)}`,
          'GET',
          undefined,
          token,
        )
      ).text();
      const hits = (JSON.parse(searchJson) as { matches?: unknown[] }).matches?.length ?? 0;
      await paintAfterResponse(page, searchUrl, '/api/v1/repo/search', '.search-file');
      const search = await alternate({
        rounds,
        baseline: () => plainRender(page, searchJson, 'list'),
        subject: () => paintAfterResponse(page, searchUrl, '/api/v1/repo/search', '.search-file'),
      });
      figures.push(
        timingFigure(
          `search results for "${SEARCH}" on express (${hits} matches): the API's answer → their first paint`,
          search,
          'the same answer parsed into a plain list of its matches in the same page, to its first paint',
          100,
        ),
      );
      await browser.close();
      browser = undefined;

      // Lighthouse last, in its own Chromium.
      figures.push(
        ...(await lighthouseScores({
          rounds,
          origin: hive.url,
          refreshToken: (await login(hive.url)).refreshToken,
          subject: { url: blob(EXPRESS_FILE), label: `the file view of express ${EXPRESS_FILE}` },
          baseline: { url: `${hive.url}/projects`, label: 'the projects page' },
          suite: SUITE,
        })),
      );

      return figures;
    } finally {
      await browser?.close();
      await hive.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** (a) The JS a page needs before it can render: the entry chunk, its static imports, and the page's own chunk. */
function initialJs(): Figure[] {
  const manifestFile = path.join(DIST, '.vite/manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`no ${manifestFile}: build the web app first (npm run build)`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<
    string,
    { file: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[] }
  >;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  if (!entryKey) throw new Error('the Vite manifest names no entry');
  const chunksOf = (key: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) chunksOf(imported, seen);
    return seen;
  };
  const page = (view: string) => {
    const keys = chunksOf(entryKey);
    // A view split out of the entry loads its chunk (and that chunk's static imports) before it renders.
    const own = manifest[view]?.isDynamicEntry ? chunksOf(view) : new Set<string>();
    const files = [...new Set([...keys, ...own].map((k) => manifest[k]!.file))].filter((f) => f.endsWith('.js'));
    const gz = files.reduce(
      (sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length,
      0,
    );
    return { files, gz };
  };
  return [
    ['login page', 'src/views/LoginPage.tsx'],
    ['project page', 'src/views/ProjectPage.tsx'],
  ].map(([name, view]) => {
    const { files, gz } = page(view!);
    return {
      suite: SUITE,
      name: `initial JS of the ${name} (gzip -9 of the entry chunk, its static imports and the view's own chunk)`,
      value: `${kb(gz)} in ${files.length} file${files.length === 1 ? '' : 's'}`,
      baseline: `budget ${kb(JS_BUDGET_BYTES)}`,
      ratio: gz / JS_BUDGET_BYTES,
      goal: '≤ 200 KB gzip',
      met: gz <= JS_BUDGET_BYTES,
    };
  });
}

/** A bare clone of express with one more commit: a generated 20,000-line JavaScript file. */
function withBigFile(express: string, dir: string): string {
  const work = path.join(dir, 'work');
  const remote = path.join(dir, 'express.git');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe' }).toString();
  execFileSync('git', ['clone', '-q', express, work]);
  const lines = Array.from(
    { length: BIG_FILE_LINES },
    (_, i) => `export const value${i} = compute(${i}, 'generated line ${i}', { index: ${i}, even: ${i % 2 === 0} });`,
  );
  fs.mkdirSync(path.join(work, path.dirname(BIG_FILE)), { recursive: true });
  fs.writeFileSync(path.join(work, BIG_FILE), `${lines.join('\n')}\n`);
  git(work, 'add', BIG_FILE);
  git(work, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', 'commit', '-q', '-m', 'generated file');
  execFileSync('git', ['clone', '-q', '--bare', work, remote]);
  return remote;
}

/** Registers the bench user and logs in with `remember`, which is what issues a refresh token. */
async function register(url: string): Promise<{ token: string; refreshToken: string }> {
  await call(`${url}/api/v1/auth/register`, 'POST', {
    email: 'bench-web@example.test',
    password: 'bench web password',
  });
  return login(url);
}

/** A new session of the bench user (refresh tokens rotate: each browser profile gets its own). */
async function login(url: string): Promise<{ token: string; refreshToken: string }> {
  const res = await call(`${url}/api/v1/auth/login`, 'POST', {
    email: 'bench-web@example.test',
    password: 'bench web password',
    remember: true,
  });
  const body = (await res.json()) as { access_token: string; refresh_token?: string };
  if (!body.refresh_token) throw new Error('logging in with remember: true gave no refresh token');
  return { token: body.access_token, refreshToken: body.refresh_token };
}

/**
 * Records, in every document of the page, when elements matching each watched selector first appear and then paint
 * (the task after the next animation frame): `window.__firstPaint[selector]` on the performance timeline. The file
 * view's CodeMirror lives in a shadow root (components/CodeView.tsx), so shadow roots are watched as they are made.
 */
const WATCH_PAINTS = `(() => {
  const selectors = ['.cm-content .cm-line', '.search-file'];
  const roots = [document];
  window.__firstPaint = {};
  const seen = {};
  const check = () => {
    for (const s of selectors) {
      if (seen[s] || !roots.some((r) => r.querySelector(s))) continue;
      seen[s] = true;
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { window.__firstPaint[s] = performance.now(); };
        ch.port2.postMessage(0);
      });
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true });
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    roots.push(root);
    observer.observe(root, { childList: true, subtree: true });
    return root;
  };
})();`;

async function signedInPage(browser: Browser, origin: string, refreshToken: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(WATCH_PAINTS);
  await page.goto(`${origin}/login`);
  // (The bench's tsconfig has no DOM types: what runs in the page is written as expressions.)
  await page.evaluate(`localStorage.setItem(${JSON.stringify(REFRESH_TOKEN_KEY)}, ${JSON.stringify(refreshToken)})`);
  return page;
}

/**
 * Opens `url` and answers, in ms, the time from the end of the response of the API call whose URL contains `api`
 * (its last byte, from Resource Timing) to the first paint of `selector`.
 */
async function paintAfterResponse(page: Page, url: string, api: string, selector: string): Promise<number> {
  await page.goto(url);
  // (Polled from here: page.waitForFunction evaluates a string with eval, which the app's CSP refuses. The time is
  // taken in the page, so how often this asks does not change it.)
  const seen = `window.__firstPaint[${JSON.stringify(selector)}] !== undefined`;
  const deadline = Date.now() + 60_000;
  while (!(await page.evaluate(seen))) {
    if (Date.now() > deadline) {
      const state = await page.evaluate(
        `JSON.stringify({ url: location.href, watching: typeof window.__firstPaint, found: !!document.querySelector(${JSON.stringify(selector)}), text: document.body.innerText.slice(0, 300) })`,
      );
      throw new Error(`${selector} did not paint within 60 s at ${url}: ${String(state)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const gap = (await page.evaluate(`(() => {
    const painted = window.__firstPaint[${JSON.stringify(selector)}];
    const response = performance.getEntriesByType('resource').filter((e) => e.name.includes(${JSON.stringify(api)})).at(-1);
    return response ? painted - response.responseEnd : null;
  })()`)) as number | null;
  if (gap === null) throw new Error(`no ${api} request in ${url}`);
  return gap;
}

/** The baseline: `body` parsed and shown as plain DOM (a <pre> of the file, or a list of the matches), to first paint. */
async function plainRender(page: Page, body: string, kind: 'pre' | 'list'): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    const data = JSON.parse(${JSON.stringify(body)});
    const host = document.createElement(${JSON.stringify(kind === 'pre' ? 'pre' : 'ul')});
    if (${JSON.stringify(kind)} === 'pre') host.textContent = data.content ?? '';
    else
      for (const m of data.matches ?? []) {
        const li = document.createElement('li');
        li.textContent = m.path + ':' + m.line + ' ' + m.text;
        host.append(li);
      }
    document.body.append(host);
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const t = performance.now() - t0;
        host.remove();
        resolve(t);
      };
      ch.port2.postMessage(0);
    });
  })`)) as number;
}

function timingFigure(name: string, r: Rounds, baseline: string, goalMs: number): Figure {
  const value = median(r.subjects);
  return {
    suite: SUITE,
    name,
    value: `median ${ms(value)} ms (${r.subjects.map(ms).join(', ')})`,
    baseline: `${baseline}: median ${ms(median(r.baselines))} ms`,
    ...ratioFields(r),
    // The goal is a time: when every round lands on the same side of it, the verdict holds however the ratio to
    // the baseline spreads.
    stable: r.stable || r.subjects.every((v) => v < goalMs) || r.subjects.every((v) => v >= goalMs),
    goal: `< ${goalMs} ms`,
    met: value < goalMs,
  };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
