import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';
import { expectAccessible, screenshot, webSession } from '../support/web.js';

/**
 * The web app in Debian's Chromium against a server started as the README says (`npm start`, which builds the app
 * first), on a real repository (express): register, create a project, sync it with its stages shown live, browse the
 * tree, open a file, link to a range of lines, log out, log in again onto the page that was wanted.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app', () => {
  const web = webSession('web', { npmStart: true, permissions: ['clipboard-read', 'clipboard-write'] });
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;
  let remote: string;
  let permalink: string;
  let cspViolations: string[];
  const email = 'web-user@example.test';
  const password = 'web e2e password 1';

  beforeAll(() => {
    ({ server, context, page, remote, cspViolations } = web);
  });

  it('sends a stranger to the login page, keeping the page they wanted', async () => {
    await page.goto(`${server.url}/projects`);
    await page.getByRole('heading', { name: 'Log in to HiveSync' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/projects');
    await screenshot(page, 'login');
    await expectAccessible(page, 'login');
  });

  it('registers and lands on the project list', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your HiveSync account' }).waitFor();
    // The form checks the password's length before sending anything.
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('The password needs at least 10 characters.').waitFor();
    await expectAccessible(page, 'register');
    await page.getByLabel('Name').fill('Web Tester');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/projects');
    await page.getByText('You are not a member of any project yet.').waitFor();
  });

  it('creates a project on the express clone, and shows a name with HTML in it as text', async () => {
    await page.getByRole('link', { name: 'New project' }).click();
    await page.getByRole('heading', { name: 'New project' }).waitFor();
    await expectAccessible(page, 'new project');
    await page.getByLabel('Name').fill('express');
    await page.getByLabel('Repository URL').fill(remote);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'express', level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/projects\/[0-9a-f-]{36}$/);
    await page.getByText('This project was never synced.').waitFor();

    const hostile = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    await page.goto(`${server.url}/projects/new`);
    await page.getByLabel('Name').fill(hostile);
    await page.getByLabel('Repository URL').fill(remote);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: hostile, level: 1 }).waitFor();
    await page.getByRole('link', { name: '← Projects' }).click();
    await page.getByRole('link', { name: hostile }).waitFor();
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    await screenshot(page, 'projects');
    await expectAccessible(page, 'projects');
  });

  it('syncs with the stages shown as they happen, then says how it ended', async () => {
    await page.getByRole('link', { name: 'express', exact: true }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    const seen = new Set<string>();
    const outcome = page.getByTestId('sync-outcome');
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const current = await page.locator('.stage[aria-current="step"]').allTextContents();
      current.forEach((c) => seen.add(c.replace(/^now: /, '')));
      if (/^Completed/.test((await outcome.textContent()) ?? '')) break;
      if (/failed/.test((await outcome.textContent()) ?? '')) throw new Error(await page.locator('main').innerText());
      await page.waitForTimeout(100);
    }
    expect(await outcome.textContent()).toMatch(
      new RegExp(`^Completed .* in .*, at commit ${git(remote, 'rev-parse', 'master').slice(0, 12)}\\.$`),
    );
    expect(seen.size, [...seen].join(', ')).toBeGreaterThan(0);
    expect(await page.locator('.stage.done').count()).toBe(6);
    await page.getByRole('link', { name: 'Browse code' }).waitFor();
    await screenshot(page, 'project');
    await expectAccessible(page, 'project');
  }, 300_000);

  it('browses the tree with lazy folders and opens a file with highlighting', async () => {
    await page.getByRole('link', { name: 'Browse code' }).click();
    const files = page.getByRole('navigation', { name: 'Files' });
    const lib = files.getByRole('button', { name: 'lib' });
    await lib.waitFor();
    expect(await lib.getAttribute('aria-expanded')).toBe('false');
    expect(await files.getByRole('link', { name: 'response.js' }).count()).toBe(0); // not loaded before it opens
    await screenshot(page, 'tree');
    await expectAccessible(page, 'tree');
    await lib.press('Enter'); // keyboard
    expect(await lib.getAttribute('aria-expanded')).toBe('true');
    await files.getByRole('link', { name: 'response.js' }).click();
    // CodeMirror draws only the lines in view: look for one near the top.
    const lines = git(remote, 'show', 'master:lib/response.js').split('\n');
    const line = lines.find((l) => l.includes('require(')) ?? '';
    await page.locator('.cm-content .cm-line', { hasText: line }).first().waitFor();
    const commit = git(remote, 'rev-parse', 'master');
    expect(new URL(page.url()).pathname).toBe(
      `${new URL(page.url()).pathname.split('/blob/')[0]}/blob/${commit}/lib/response.js`,
    );
    // Syntax highlighting: the JavaScript grammar was loaded and styled the keywords.
    await expect.poll(() => page.locator('.cm-content span[class]').count()).toBeGreaterThan(20);
  });

  it('links to a range of lines: the permalink highlights them', async () => {
    const gutter = page.locator('.cm-lineNumbers .cm-gutterElement');
    await gutter.getByText('10', { exact: true }).click();
    await gutter.getByText('20', { exact: true }).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.url()).toMatch(/#L10-L20$/);
    permalink = page.url();
    await page.getByRole('button', { name: 'Copy permalink' }).click();
    await page.getByText(`Permalink copied: ${permalink}`).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(permalink);

    // Opened afresh, the link shows the same lines highlighted.
    await page.goto('about:blank');
    await page.goto(permalink);
    await page.locator('.cm-permalink-line').first().waitFor();
    const highlighted = await page.locator('.cm-permalink-line').allTextContents();
    const lines = git(remote, 'show', 'master:lib/response.js').split('\n');
    expect(highlighted).toEqual(lines.slice(9, 20));
    await screenshot(page, 'file');
    await expectAccessible(page, 'file');
  });

  it('logs out, and logging in again lands on the page that was wanted', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You have logged out.').waitFor();
    await page.goto(permalink);
    await page.getByRole('heading', { name: 'Log in to HiveSync' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe(new URL(permalink).pathname + new URL(permalink).hash);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('Could not log in').waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.cm-permalink-line').first().waitFor();
    expect(page.url()).toBe(permalink);
    expect(await page.locator('.cm-permalink-line').count()).toBe(11);
  });

  it('keeps the session across a reload and in a new tab', async () => {
    await page.reload();
    await page.locator('.cm-permalink-line').first().waitFor();
    const other = await context.newPage();
    await other.goto(`${server.url}/projects`);
    await other.getByRole('link', { name: 'express', exact: true }).waitFor();
    await other.close();
  });

  it('shows a not-found page for an unknown route', async () => {
    const res = await page.goto(`${server.url}/no/such/page`);
    expect(res?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await screenshot(page, 'not-found');
    await expectAccessible(page, 'not found');
    const missing = await page.goto(`${server.url}/projects/00000000-0000-4000-8000-000000000000`);
    expect(missing?.status()).toBe(200);
    await page.getByRole('alert').getByRole('heading', { name: 'Not found' }).waitFor();
    await page.getByText('The project was not found.').waitFor();
  });

  it('follows the system theme (dark)', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(permalink);
    await page.locator('.cm-permalink-line').first().waitFor();
    const bg = await page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    expect(bg).toBe('rgb(22, 24, 28)');
    await screenshot(page, 'file-dark');
    await expectAccessible(page, 'file (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('broke no Content Security Policy rule on the way', () => {
    expect(cspViolations).toEqual([]);
  });
});
