import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { tempDir, type Backend } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo } from '../../apps/server/src/test/test-repos.js';
import { launchChromium } from './browser.js';
import { ROOT, spawnServer, stopServer, type ServerProcess } from './server-process.js';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// `HIVESYNC_WEB_SCREENSHOTS=1 npx vitest run tests/e2e/web.e2e.test.ts` (or web-history) refreshes the pictures in
// docs/web.md.
const SCREENSHOTS = process.env.HIVESYNC_WEB_SCREENSHOTS === '1';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (evaluated over the DevTools protocol, so the app's CSP stays on) and returns what is serious. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Expects no serious axe finding on the page as it is; with `dark`, then again in the dark theme (back to light after). */
export async function expectAccessible(page: Page, view: string, options: { dark?: boolean } = {}): Promise<void> {
  expect(await seriousA11yViolations(page), view).toEqual([]);
  if (!options.dark) return;
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousA11yViolations(page), `${view} (dark)`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Saves docs/images/web-`name`.png when HIVESYNC_WEB_SCREENSHOTS=1; otherwise does nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs/images', `web-${name}.png`) });
}

/** A page in a fresh 1280×800 context, with the Content Security Policy violations its console reports. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Each CSP violation the console reported so far, with where it happened. */
  cspViolations: string[];
}

/** Opens a page in a new context, first granting `grant.permissions` to `grant.origin` when given. */
export async function openWatchedPage(
  browser: Browser,
  grant?: { permissions: string[]; origin: string },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (grant) await context.grantPermissions(grant.permissions, { origin: grant.origin });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text()))
      cspViolations.push(`${msg.text()} at ${JSON.stringify(msg.location())}`);
  });
  return { context, page, cspViolations };
}

/** What a describe block of the web app's end-to-end tests runs against. */
export interface WebSession extends WatchedPage {
  /** The express clone the project is made from. */
  remote: string;
  server: ServerProcess;
  browser: Browser;
}

/** What `webSession` starts the server with. */
export interface WebSessionOptions {
  /** Through `npm start`, which builds first (else the built server). */
  npmStart?: boolean;
  /** Browser permissions granted to the server's origin (e.g. clipboard-read). */
  permissions?: string[];
  /** More settings for the server. */
  env?: Record<string, string>;
  /** The backends to run on (apps/server/src/test/harness.ts): a fresh PostgreSQL database and Redis prefix for
   * `postgres+redis`, removed afterwards. Embedded by default. */
  backend?: Backend;
}

/**
 * Registers, for the enclosing describe block, a beforeAll that clones express into a temp home, starts a server on a
 * temp data dir (on `backend`, with `env`), launches Chromium and opens a watched page (granting `permissions` to the
 * server's origin), and an afterAll that stops all that and removes the dirs. The object returned is filled in by
 * that beforeAll (which runs before the block's own).
 */
export function webSession(name: string, options: WebSessionOptions = {}): WebSession {
  const data = tempDir(`hivesync-${name}-data-`);
  const home = tempDir(`hivesync-${name}-home-`);
  const session = {} as WebSession;
  let cleanup = async () => undefined as void;
  beforeAll(async () => {
    session.remote = cloneTestRepo('express', home.dir);
    const provisioned = options.backend ? await options.backend.provision() : { env: {}, cleanup };
    cleanup = provisioned.cleanup;
    session.server = spawnServer(
      { HIVESYNC_DATA_DIR: data.dir, ...provisioned.env, ...options.env },
      { npmStart: options.npmStart },
    );
    await session.server.ready;
    session.browser = await launchChromium();
    const grant = options.permissions && { permissions: options.permissions, origin: session.server.url };
    Object.assign(session, await openWatchedPage(session.browser, grant));
  }, 300_000);
  afterAll(async () => {
    await session.browser?.close();
    await stopServer(session.server);
    await cleanup();
    data.remove();
    home.remove();
  });
  return session;
}

/** Logs in through the login page and waits for the project list. */
export async function logIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

/**
 * What sticks out sideways at the page's current width: '' when nothing does (a phone-width layout must not scroll
 * sideways), else the elements reaching furthest past the right edge (tag, class, right edge in px), to say what to fix.
 */
export async function overflowsSideways(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return '';
    const out = [...document.querySelectorAll('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > root.clientWidth + 0.5)
      .sort((a, b) => b.right - a.right)
      .slice(0, 6)
      .map((x) => x.el.tagName.toLowerCase() + '.' + String(x.el.className).split(' ').join('.') + ' ' + Math.round(x.right) + 'px');
    return 'scrollWidth ' + root.scrollWidth + ' > ' + root.clientWidth + ': ' + out.join(', ');
  })()`) as Promise<string>;
}

/** A person of an e2e test. */
export interface TestUser {
  name: string;
  email: string;
  password: string;
}

/** Creates the account on the registration page; the app lands on the project list. */
export async function registerInBrowser(page: Page, url: string, user: TestUser): Promise<void> {
  await page.goto(`${url}/register`);
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

/**
 * From the project list: New project named express on `remote`, then Sync now on its page until the sync says it
 * completed. Returns the project's id.
 */
export async function createAndSyncInBrowser(page: Page, remote: string): Promise<string> {
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByLabel('Name').fill('express');
  await page.getByLabel('Repository URL').fill(remote);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: 'express', level: 1 }).waitFor();
  const projectId = new URL(page.url()).pathname.split('/')[2]!;
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page
    .getByTestId('sync-outcome')
    .getByText(/^Completed/)
    .waitFor({ timeout: 240_000 });
  return projectId;
}

/**
 * Through the SDK, as a test that is not about these steps: registers `user`, creates the express project on
 * `remote` and syncs it. Returns the signed-in client and the project's id.
 */
export async function syncedProjectThroughSdk(
  url: string,
  remote: string,
  user: Omit<TestUser, 'name'> & { name?: string },
): Promise<{ client: HiveSyncClient; projectId: string }> {
  const client = new HiveSyncClient({ baseUrl: url });
  await client.auth.register({
    email: user.email,
    password: user.password,
    ...(user.name && { display_name: user.name }),
  });
  const project = await client.projects.create({ name: 'express', repo_url: remote });
  const sync = await client.repo.waitForSync((await client.repo.sync(project.id)).sync_id);
  expect(sync.status, JSON.stringify(sync.error)).toBe('completed');
  return { client, projectId: project.id };
}
