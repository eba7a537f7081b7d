import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';
import {
  createAndSyncInBrowser,
  expectAccessible,
  logIn,
  openWatchedPage,
  overflowsSideways,
  registerInBrowser,
  screenshot,
  webSession,
} from '../support/web.js';

const FILE = 'lib/response.js';

/** expect.poll with time for a page to load and render (its default is one second). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

/**
 * Comment threads in Debian's Chromium on the express clone: user A selects lines of lib/response.js and starts a
 * thread (Markdown rendered, HTML shown as text); user B, a member, replies with an @mention picked from the
 * autocomplete; A sees it, resolves and reopens; the project's list filters open / resolved / mine; a thread whose
 * lines a new commit deletes shows as outdated with its original code. Axe in both themes, and a phone's width.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: comment threads', () => {
  const web = webSession('webt');
  const work = tempDir('hivesync-webt-work-');
  let server: ServerProcess;
  let page: Page;
  let remote: string;
  let cspViolations: string[];
  let projectId: string;
  let head: string;
  let threadId: string;
  let pageB: Page;
  let contextB: BrowserContext;
  let cspB: string[];
  const a = { email: 'ann@example.test', password: 'ann threads e2e password', name: 'Ann Author' };
  const b = { email: 'bob@example.test', password: 'bob threads e2e password', name: 'Bob Reviewer' };
  const clientA = () => new HiveSyncClient({ baseUrl: server.url });
  let sdkA: HiveSyncClient;
  const dialogs: string[] = [];

  beforeAll(async () => {
    ({ server, page, remote, cspViolations } = web);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const sdkB = new HiveSyncClient({ baseUrl: server.url });
    await sdkB.auth.register({ email: b.email, password: b.password, display_name: b.name });
  }, 120_000);
  afterAll(async () => {
    await contextB?.close();
    work.remove();
  });

  it('A registers, creates the express project and syncs it', async () => {
    await registerInBrowser(page, server.url, a);
    projectId = await createAndSyncInBrowser(page, remote);
    head = git(remote, 'rev-parse', 'master');

    // B becomes a member through the API, as A.
    sdkA = clientA();
    await sdkA.auth.login({ email: a.email, password: a.password });
    await sdkA.members.add(projectId, { email: b.email, role: 'member' });
  }, 300_000);

  it('A selects lines, writes Markdown with a preview, and starts a thread that appears at once', async () => {
    await page.goto(`${server.url}/projects/${projectId}/blob/${head}/${FILE}`);
    const numbers = page.locator('.cm-lineNumbers .cm-gutterElement');
    await numbers.getByText('30', { exact: true }).click();
    await numbers.getByText('32', { exact: true }).click({ modifiers: ['Shift'] });
    await poll(() => page.url()).toMatch(/#L30-L32$/); // the permalink still follows the selection
    await page.getByRole('heading', { name: 'Threads on this file' }).waitFor();
    await page.getByText('No thread yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Comment on lines 30–32' }).click();

    const box = page.getByRole('textbox', { name: 'Comment on lines 30–32' });
    await poll(() => box.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // Checked before sending.
    await page.getByRole('button', { name: 'Start thread' }).click();
    await page.getByText('Write something first.').waitFor();

    const body = 'Is the **bold** claim right? <script>alert(1)</script> <img src=x onerror="alert(2)">';
    await box.fill(body);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.locator('strong', { hasText: 'bold' }).waitFor();
    await page.getByRole('button', { name: 'Write' }).click();
    await page.getByRole('button', { name: 'Start thread' }).click();

    const thread = page.getByRole('article');
    await thread.getByRole('heading', { name: `${FILE} lines 30–32` }).waitFor();
    threadId = new URL(page.url()).searchParams.get('thread')!;
    expect(threadId).toMatch(/^[0-9a-f-]{36}$/);
    await thread.locator('.markdown strong', { hasText: 'bold' }).waitFor();
    await thread.getByText('<script>alert(1)</script>', { exact: false }).waitFor();
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await thread.getByText(a.name).first().waitFor();

    // The gutter marks line 30; its button opens the thread (keyboard too).
    await page.getByRole('button', { name: '← All threads on this file' }).click();
    const item = page.locator('.thread-item').first();
    await item.getByText('L30–32').waitFor();
    await item.getByText('0 replies').waitFor();
    const marker = page.locator('.cm-thread-marker');
    await poll(() => marker.count()).toBe(1);
    expect(await marker.getAttribute('aria-label')).toMatch(/^Open thread on lines 30–32 by Ann Author: Is the/);
    await marker.click();
    await page
      .getByRole('article')
      .getByRole('heading', { name: `${FILE} lines 30–32` })
      .waitFor();
    expect(new URL(page.url()).searchParams.get('thread')).toBe(threadId);
    // Keyboard: Enter on line 30 in the editor opens it too.
    await page.getByRole('button', { name: '← All threads on this file' }).click();
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Control+Home');
    for (let i = 1; i < 30; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await thread.getByRole('heading', { name: `${FILE} lines 30–32` }).waitFor();
    expect(new URL(page.url()).searchParams.get('thread')).toBe(threadId);
    expect(new URL(page.url()).hash).toBe('#L30-L32');

    await expectAccessible(page, 'file view with a thread', { dark: true });
    await page.getByRole('button', { name: '← All threads on this file' }).click();
    await expectAccessible(page, 'file view, thread list', { dark: true });
  });

  it('offers "Comment on lines" for lines selected with the keyboard', async () => {
    // From the top of the file (far from the address's lines 30–32): ↓ to line 5, shift+↓ twice: lines 5 and 6.
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.getByRole('button', { name: 'Comment on lines 5–6' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#L30-L32'); // the permalink changes only when asked
  });

  it('B replies, mentioning A picked from the autocomplete with the keyboard', async () => {
    ({ context: contextB, page: pageB, cspViolations: cspB } = await openWatchedPage(web.browser));
    await logIn(pageB, server.url, b.email, b.password);
    await pageB.goto(`${server.url}/projects/${projectId}/threads`);
    await pageB.getByRole('heading', { name: 'Threads', level: 1 }).waitFor();
    await pageB.getByRole('link', { name: `${FILE}:L30–32` }).click();
    await pageB.getByRole('heading', { name: `${FILE} lines 30–32`, level: 1 }).waitFor();

    const reply = pageB.getByRole('textbox', { name: 'Reply' });
    await reply.click();
    await pageB.keyboard.type('Looks fine @');
    const list = pageB.getByRole('listbox', { name: 'Members to mention' });
    await list.getByRole('option', { name: /Ann Author/ }).waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual([`${a.name} ${a.email}`]); // not B himself
    await pageB.keyboard.press('Escape');
    await poll(() => list.count()).toBe(0);
    await pageB.keyboard.type('a'); // the same @word stays closed after Escape
    expect(await list.count()).toBe(0);
    await pageB.keyboard.press('Backspace');
    await pageB.keyboard.press('Backspace');
    await pageB.keyboard.type('@an');
    await list.getByRole('option', { name: /Ann Author/ }).waitFor();
    expect(await reply.getAttribute('aria-activedescendant')).toBeTruthy();
    await pageB.keyboard.press('ArrowDown');
    await pageB.keyboard.press('Enter');
    await poll(() => reply.inputValue()).toBe('Looks fine @ann ');
    await pageB.keyboard.type('can you _confirm_?');
    await pageB.getByRole('button', { name: 'Reply', exact: true }).click();
    const comments = pageB.getByRole('list', { name: 'Comments' });
    await comments.getByText('Looks fine @ann can you').waitFor();
    await comments.locator('em', { hasText: 'confirm' }).waitFor();
    await poll(() => reply.inputValue()).toBe('');
    // B may edit his own comment, not A's.
    expect(await pageB.getByRole('button', { name: 'Edit your comment' }).count()).toBe(1);

    // The mention reached A.
    const notes = await sdkA.notifications.list({});
    expect(notes.notifications.map((n) => n.type)).toContain('thread_mention');
    expect(cspB).toEqual([]);
  });

  it('A sees the reply after a reload, edits her comment, resolves and reopens', async () => {
    await page.goto(`${server.url}/projects/${projectId}/blob/${head}/${FILE}?thread=${threadId}#L30-L32`);
    const thread = page.getByRole('article');
    await thread.getByText('Looks fine @ann can you').waitFor();
    await thread.getByText(b.name).waitFor();

    await thread.getByRole('button', { name: 'Edit your comment' }).click();
    const edit = thread.getByRole('textbox', { name: 'Edit your comment' });
    await edit.fill('Is the **bold** claim right? (edited)');
    await thread.getByRole('button', { name: 'Save' }).click();
    await thread.getByText('(edited)').waitFor();
    await thread.getByText('· edited').waitFor();

    await thread.getByRole('button', { name: 'Resolve' }).click();
    await thread.getByRole('button', { name: 'Reopen' }).waitFor();
    await thread.locator('.badge', { hasText: 'Resolved' }).waitFor();
    await thread.getByRole('button', { name: 'Reopen' }).click();
    await thread.getByRole('button', { name: 'Resolve' }).waitFor();
    await thread.locator('.badge', { hasText: 'Open' }).waitFor();
    await page.locator('.cm-thread-marker').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'thread');
  });

  it('lists the project’s threads, filtered open / resolved / all and mine, a page at a time', async () => {
    // A second thread, A's alone, resolved; B's list of his own keeps only the first.
    const lines = git(remote, 'show', `master:${FILE}`).split('\n');
    const other = await sdkA.threads.create(projectId, { path: 'index.js', start_line: 1, body: 'Header **ok**?' });
    await sdkA.threads.resolve(other.thread_id);
    expect(lines.length).toBeGreaterThan(100);

    await page.goto(`${server.url}/projects/${projectId}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Threads' }).click();
    await page.getByRole('heading', { name: 'Threads', level: 1 }).waitFor();
    const list = page.locator('ol.thread-list > li');
    const filters = page.getByRole('navigation', { name: 'Filter threads' });
    await poll(() => list.count()).toBe(1);
    const first = list.first();
    await first.getByRole('link', { name: `${FILE}:L30–32` }).waitFor();
    // The first comment's first line, as plain text.
    await first.getByText('Is the bold claim right? (edited)', { exact: false }).waitFor();
    expect(await first.locator('strong').count()).toBe(0);
    await first.getByText(`${a.name} ·`, { exact: false }).waitFor();
    await first.getByText('1 reply').waitFor();
    await first.locator('.badge', { hasText: 'Open' }).waitFor();

    await filters.getByRole('link', { name: 'Resolved' }).click();
    await poll(() => new URL(page.url()).searchParams.get('state')).toBe('resolved');
    await list.getByRole('link', { name: 'index.js:L1' }).waitFor();
    await poll(() => list.count()).toBe(1);
    await filters.getByRole('link', { name: 'All' }).click();
    await poll(() => list.count()).toBe(2);
    await screenshot(page, 'threads');
    await expectAccessible(page, 'threads list', { dark: true });

    // B's own: the one he replied to, not A's other one.
    await pageB.goto(`${server.url}/projects/${projectId}/threads?state=all`);
    await pageB.getByRole('navigation', { name: 'Filter threads' }).getByRole('link', { name: /^Mine/ }).click();
    await poll(() => new URL(pageB.url()).searchParams.get('mine')).toBe('1');
    const listB = pageB.locator('ol.thread-list > li');
    await listB
      .first()
      .getByRole('link', { name: `${FILE}:L30–32` })
      .waitFor();
    await poll(() => listB.count()).toBe(1);
    await pageB.getByRole('navigation', { name: 'Filter threads' }).getByRole('link', { name: 'Resolved' }).click();
    await pageB.getByText('No resolved thread that you started or took part in.').waitFor();

    // Pages: 26 more threads make two pages of 25 of the open ones.
    for (let i = 0; i < 26; i++) {
      await sdkA.threads.create(projectId, { path: FILE, start_line: 40 + i, body: `paged ${i}` });
    }
    await page.goto(`${server.url}/projects/${projectId}/threads`);
    await poll(() => list.count()).toBe(25);
    await page.getByRole('link', { name: 'Next page' }).click();
    await poll(() => list.count()).toBe(2);
    await page.getByRole('link', { name: 'First page' }).waitFor();
  });

  it('shows an outdated thread with where it was and its original code', async () => {
    // A thread on res.links, then a commit that deletes those lines, synced.
    const before = git(remote, 'show', `master:${FILE}`).split('\n');
    const start = before.indexOf('res.links = function(links) {') + 1;
    const end = before.indexOf('};', start) + 1;
    expect(start).toBeGreaterThan(0);
    const outdated = await sdkA.threads.create(projectId, {
      path: FILE,
      start_line: start,
      end_line: end,
      body: 'Should this join with commas?',
    });
    const clone = path.join(work.dir, 'express');
    git(work.dir, 'clone', '-q', remote, clone);
    const after = [...before.slice(0, start - 1), ...before.slice(end + 1)];
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(clone, FILE), after.join('\n'));
    git(clone, '-c', 'user.name=Ann', '-c', 'user.email=ann@example.test', 'commit', '-q', '-am', 'Drop res.links');
    git(clone, 'push', '-q', 'origin', 'HEAD:master');
    const sync = await sdkA.repo.waitForSync((await sdkA.repo.sync(projectId)).sync_id);
    expect(sync.status, JSON.stringify(sync.error)).toBe('completed');
    await expect
      .poll(async () => (await sdkA.threads.get(outdated.thread_id)).position.status, { timeout: 60_000 })
      .toBe('outdated');

    await page.goto(`${server.url}/projects/${projectId}/threads/${outdated.thread_id}`);
    const thread = page.getByRole('article');
    await thread.getByText('Outdated: the lines it was written on were deleted.').waitFor();
    await thread.locator('.badge', { hasText: 'Outdated' }).waitFor();
    const caption = thread.locator('.anchor-snippet figcaption');
    expect(await caption.textContent()).toBe(
      `Written on ${FILE}, lines ${start}–${end}, at commit ${head.slice(0, 12)}`,
    );
    expect(await thread.locator('.anchor-snippet pre code').allTextContents()).toEqual(before.slice(start - 1, end));
    await expectAccessible(page, 'outdated thread', { dark: true });

    // In the file at the new commit, the panel lists it as outdated.
    const newHead = git(remote, 'rev-parse', 'master');
    await page.goto(`${server.url}/projects/${projectId}/blob/${newHead}/${FILE}`);
    await page
      .locator('.thread-item', { hasText: 'Should this join' })
      .locator('.badge', { hasText: 'Outdated' })
      .waitFor();
  });

  it('fits a phone’s width: the list, a thread and the file view', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      await page.goto(`${server.url}/projects/${projectId}/threads?state=all`);
      await page.locator('ol.thread-list > li').first().waitFor();
      expect(await overflowsSideways(page)).toBe('');
      await page.goto(`${server.url}/projects/${projectId}/threads/${threadId}`);
      await page.getByRole('article').getByText('Looks fine @ann').waitFor();
      expect(await overflowsSideways(page)).toBe('');
      await page.goto(`${server.url}/projects/${projectId}/blob/${head}/${FILE}?thread=${threadId}`);
      await page.getByRole('article').getByText('Looks fine @ann').waitFor();
      expect(await overflowsSideways(page)).toBe('');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    expect(cspViolations).toEqual([]);
  });
});
