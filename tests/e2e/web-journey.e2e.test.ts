import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { backends, tempDir } from '../../apps/server/src/test/harness.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import { createAndSyncInBrowser, logIn, openWatchedPage, registerInBrowser, webSession } from '../support/web.js';
import { publishPreview } from '../support/web-previews.js';

const FILE = 'lib/response.js';
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000 });

/**
 * The whole of issue #14's journey in one run, as two people would live it, on the embedded backends and (when
 * DATABASE_URL and REDIS_URL are set, as in CI) on PostgreSQL + Redis: A registers, creates a project from express,
 * syncs it, browses to a file, searches from the keyboard and comments on lines; B replies; A's bell counts it
 * without a reload; A asks for docs on a function, approves the suggestion and downloads a patch that applies; A
 * opens a preview's page and sees its code and QR code. Each area's own e2e file checks its details.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express')).each(backends())(
  'the web app, end to end, on $name',
  (backend) => {
    // The express clone is a local path: allowed by default on the embedded backends only (docs/REPOS.md).
    const web = webSession(`journey-${backend.name === 'embedded' ? 'embedded' : 'pg'}`, {
      backend,
      env: { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' },
    });
    const work = tempDir('hivesync-journey-work-');
    const a = { name: 'Ann Author', email: 'ann@example.test', password: 'journey password a' };
    const b = { name: 'Ben Reviewer', email: 'ben@example.test', password: 'journey password b' };
    let page: Page;
    let contextB: BrowserContext | undefined;
    let sdkA: HiveSyncClient;
    let projectId: string;
    let head: string;
    let threadUrl: string;

    const sendfileLine = () =>
      git(web.remote, 'show', `master:${FILE}`)
        .split('\n')
        .indexOf('function sendfile(res, file, options, callback) {') + 1;
    const unread = async (bell: ReturnType<Page['getByRole']>) => {
      const label = (await bell.getAttribute('aria-label')) ?? '';
      return label === 'Notifications, none unread' ? 0 : Number(/(\d+) unread/.exec(label)?.[1] ?? NaN);
    };

    beforeAll(() => {
      page = web.page;
    });
    afterAll(async () => {
      await contextB?.close();
      work.remove();
    });

    it('A registers, creates a project from express and syncs it', async () => {
      await registerInBrowser(page, web.server.url, a);
      projectId = await createAndSyncInBrowser(page, web.remote);
      head = git(web.remote, 'rev-parse', 'master');
      expect(await page.getByTestId('sync-outcome').textContent()).toContain(head.slice(0, 12));
    }, 300_000);

    it('A browses the tree to a file', async () => {
      await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Code' }).click();
      await page
        .getByRole('list', { name: 'Contents of the repository root' })
        .getByRole('link', { name: /lib$/ })
        .click();
      await page
        .getByRole('list', { name: 'Contents of lib' })
        .getByRole('link', { name: /response\.js$/ })
        .click();
      await poll(() => new URL(page.url()).pathname).toBe(`/projects/${projectId}/blob/${head}/${FILE}`);
      const firstLine = git(web.remote, 'show', `master:${FILE}`).split('\n')[0]!;
      await page.locator('.cm-content').getByText(firstLine, { exact: true }).first().waitFor();
    });

    it('A searches from the keyboard and opens a result at its line', async () => {
      await page.locator('body').click({ position: { x: 5, y: 300 } });
      await page.keyboard.press('/');
      await page.keyboard.type('function sendfile');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Search', level: 1 }).waitFor();
      const line = sendfileLine();
      const target = `/projects/${projectId}/blob/${head}/${FILE}#L${line}`;
      const results = page.locator('a[data-result]');
      await results.first().waitFor();
      const hrefs = await results.evaluateAll((links) => links.map((l) => l.getAttribute('href')));
      const index = hrefs.indexOf(target);
      expect(index, hrefs.join('\n')).toBeGreaterThanOrEqual(0);
      // "/" focuses the box again, ↓ walks the results, Enter opens the one under focus.
      await page.keyboard.press('/');
      for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await poll(() => new URL(page.url()).hash).toBe(`#L${line}`);
      await page.locator('.cm-permalink-line').first().waitFor();
    });

    it('A comments on lines 30–32', async () => {
      // Back to the top of the file (the search left it scrolled to the result).
      await page.goto(`${web.server.url}/projects/${projectId}/blob/${head}/${FILE}#L30`);
      const numbers = page.locator('.cm-lineNumbers .cm-gutterElement');
      await numbers.getByText('30', { exact: true }).click();
      await numbers.getByText('32', { exact: true }).click({ modifiers: ['Shift'] });
      await page.getByRole('button', { name: 'Comment on lines 30–32' }).click();
      await page.getByRole('textbox', { name: 'Comment on lines 30–32' }).fill('Should this **set a default**?');
      await page.getByRole('button', { name: 'Start thread' }).click();
      const thread = page.getByRole('article');
      await thread.getByRole('heading', { name: `${FILE} lines 30–32` }).waitFor();
      await thread.locator('.markdown strong', { hasText: 'set a default' }).waitFor();
      await page.locator('.cm-thread-marker').first().waitFor();
    });

    it('B replies; A sees the count on the bell without a reload', async () => {
      // B has an account, and A adds B to the project (through the API: the settings page has its own test).
      const sdkB = new HiveSyncClient({ baseUrl: web.server.url });
      await sdkB.auth.register({ email: b.email, password: b.password, display_name: b.name });
      sdkA = new HiveSyncClient({ baseUrl: web.server.url });
      await sdkA.auth.login({ email: a.email, password: a.password });
      await sdkA.members.add(projectId, { email: b.email, role: 'member' });
      const bell = page.getByRole('button', { name: /^Notifications, / });
      await bell.waitFor();
      const before = await unread(bell); // the sync's own notification may be there already

      let pageB: Page;
      ({ context: contextB, page: pageB } = await openWatchedPage(web.browser));
      await logIn(pageB, web.server.url, b.email, b.password);
      await pageB.goto(`${web.server.url}/projects/${projectId}/threads`);
      await pageB.getByRole('link', { name: `${FILE}:L30–32` }).click();
      await pageB.getByRole('heading', { name: `${FILE} lines 30–32`, level: 1 }).waitFor();
      threadUrl = new URL(pageB.url()).pathname;
      await pageB.getByRole('textbox', { name: 'Reply' }).fill('Yes: `res.sendFile` sets one.');
      await pageB.getByRole('button', { name: 'Reply', exact: true }).click();
      await pageB.getByRole('list', { name: 'Comments' }).locator('code', { hasText: 'res.sendFile' }).waitFor();

      // A never reloaded: the reply reaches the bell over the event stream.
      await poll(() => unread(bell)).toBe(before + 1);
      await bell.click();
      const menu = page.getByRole('dialog', { name: 'Notifications' });
      await menu.getByRole('link').filter({ hasText: b.name }).first().click();
      await poll(() => new URL(page.url()).pathname).toBe(threadUrl);
      await page.getByText('Yes:').waitFor();
    });

    it('A asks for docs on a function, approves the suggestion and downloads a patch that applies', async () => {
      const line =
        git(web.remote, 'show', `master:${FILE}`)
          .split('\n')
          .indexOf('function sendfile(res, file, options, callback) {') + 1;
      await page.goto(`${web.server.url}/projects/${projectId}/blob/${head}/${FILE}#L${line}`);
      await page.locator('.cm-permalink-line').first().waitFor();
      await page
        .getByRole('group', { name: 'AI' })
        .getByRole('button', { name: `Document the function at line ${line}` })
        .click();
      await page.waitForURL(/\/ai\/[0-9a-f-]{36}$/);
      await poll(() => page.getByTestId('ai-status').textContent()).toMatch(/^Completed in /);
      const review = page.getByRole('form', { name: 'Review the suggestion' });
      await review.getByRole('button', { name: 'Approve' }).click();
      await page.getByTestId('suggestion-state').getByText('Approved: not applied yet').waitFor();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Download patch' }).click(),
      ]);
      const checkout = path.join(work.dir, 'express');
      execFileSync('git', ['clone', '-q', web.remote, checkout]);
      const patchFile = path.join(checkout, download.suggestedFilename());
      await download.saveAs(patchFile);
      expect(fs.readFileSync(patchFile, 'utf8')).toMatch(/^diff --git a\/lib\/response\.js b\/lib\/response\.js\n/);
      execFileSync('git', ['apply', download.suggestedFilename()], { cwd: checkout });
      const documented = fs.readFileSync(path.join(checkout, FILE), 'utf8').split('\n');
      const at = documented.indexOf('function sendfile(res, file, options, callback) {');
      expect(documented.slice(0, at).at(-1)).toBe(' */');
    }, 180_000);

    it("A opens a preview's page: its code large and a QR code of its link", async () => {
      const bundle = new TextEncoder().encode('<!doctype html><title>journey</title><h1>Hello from the journey</h1>');
      const { preview, code } = await publishPreview(sdkA, projectId, 'web', bundle);
      expect(preview.status).toBe('ready');
      await page.goto(`${web.server.url}/projects/${projectId}`);
      await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Previews' }).click();
      const dashed = `${code.slice(0, 4)}-${code.slice(4)}`;
      await page.getByRole('link', { name: `Web preview ${dashed}` }).click();
      expect(await page.getByTestId('preview-code').textContent()).toBe(`Code: ${dashed}`);
      const link = `${web.server.url}/p/${code}`;
      expect(await page.getByTestId('preview-qr').getAttribute('aria-label')).toBe(`QR code of ${link}`);
      expect(await page.getByTestId('preview-qr').locator('path, rect').count()).toBeGreaterThan(0);
      expect(web.cspViolations).toEqual([]);
    });
  },
);
