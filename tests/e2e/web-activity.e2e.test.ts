import type { Page, Request, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient, type Thread } from '../../packages/sdk/src/index.js';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';
import { expectAccessible, overflowsSideways, screenshot, webSession } from '../support/web.js';

const NOTIFICATIONS_PAGE_SIZE = 25; // apps/web/src/queries/notifications.ts

/**
 * Live events, notifications and tasks in Debian's Chromium, on the express clone, with two people in one project:
 * A in the browser, B through the SDK. What B does reaches A's bell without a reload (over the event stream, and by
 * polling when the stream is blocked); the bell's menu, /notifications with its filters and pages, marking read;
 * "Sync now" with its stages from the stream (and from polling without it); a project's tasks. axe in both themes
 * on each view, and a phone's width.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: live events', () => {
  const web = webSession('weba');
  let server: ServerProcess;
  let page: Page;
  let remote: string;
  let cspViolations: string[];
  let a: HiveSyncClient;
  let b: HiveSyncClient;
  let projectId: string;
  let thread: Thread;
  let idA: string;
  const emailA = 'web-activity-a@example.test';
  const emailB = 'web-activity-b@example.test';
  const password = 'web activity e2e password';
  // B's name holds HTML: every place that shows it must show it as typed.
  const nameB = 'Bea <b>Bold</b>';

  const bell = () => page.getByRole('button', { name: /^Notifications, / });
  const bellLabel = () => bell().getAttribute('aria-label');
  const sdk = () => new HiveSyncClient({ baseUrl: server.url });

  beforeAll(async () => {
    ({ server, page, remote, cspViolations } = web);
    a = sdk();
    b = sdk();
    await a.auth.register({ email: emailA, password, display_name: 'Ada' });
    await b.auth.register({ email: emailB, password, display_name: nameB });
    await a.auth.login({ email: emailA, password });
    await b.auth.login({ email: emailB, password });
    idA = (await a.auth.me()).id;
    const project = await a.projects.create({ name: 'express', repo_url: remote });
    projectId = project.id;
    await a.members.add(projectId, { email: emailB, role: 'member' });
    const sync = await a.repo.waitForSync((await a.repo.sync(projectId)).sync_id);
    expect(sync.status, JSON.stringify(sync.error)).toBe('completed');
    thread = await a.threads.create(projectId, { path: 'lib/express.js', start_line: 3, body: 'Why this require?' });
    await a.notifications.markRead({ all: true });

    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(emailA);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  }, 300_000);

  it('counts what B does on A’s bell live, without a reload, and announces it once', async () => {
    await expect.poll(bellLabel).toBe('Notifications, none unread');
    await page.evaluate('window.sameDocument = true');
    await b.threads.reply(thread.thread_id, `@${emailA} it loads the app`);
    // One comment that both replies and mentions: A hears of it once, as a mention.
    await expect.poll(bellLabel, { timeout: 15_000 }).toBe('Notifications, 1 unread');
    expect(await page.getByTestId('bell-count').textContent()).toBe('1');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'New notification' }).textContent())
      .toBe(`New notification: ${nameB} mentioned you on lib/express.js:3 in express`);
  });

  it('lists the latest in the bell’s menu: Esc closes it and gives the focus back; an item opens its thread', async () => {
    await bell().click();
    const menu = page.getByRole('dialog', { name: 'Notifications' });
    await menu.waitFor();
    const item = menu.getByRole('link', { name: `Unread: ${nameB} mentioned you on lib/express.js:3 in express` });
    await item.waitFor();
    expect(await menu.locator('b').count()).toBe(0); // the name's HTML is text
    await screenshot(page, 'bell');
    await expectAccessible(page, 'bell menu', { dark: true });
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-expanded")')).toBe('false');

    // By keyboard: Enter opens it again, Tab reaches the item, Enter follows it (and marks it read).
    await page.keyboard.press('Enter');
    await menu.waitFor();
    await item.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/projects/${projectId}/threads/${thread.thread_id}`);
    await expect.poll(bellLabel).toBe('Notifications, none unread');
    expect((await a.notifications.list({ unread_only: true })).notifications).toEqual([]);
  });

  it('pages, filters and marks read on /notifications', async () => {
    // 26 replies and a task: more than a page.
    for (let i = 1; i <= NOTIFICATIONS_PAGE_SIZE + 1; i++) {
      await b.threads.reply(thread.thread_id, `Reply ${i}`);
    }
    const task = await b.tasks.create(projectId, { title: 'Review <script>the router</script>', assignee_id: idA });
    await expect.poll(bellLabel, { timeout: 15_000 }).toBe(`Notifications, ${NOTIFICATIONS_PAGE_SIZE + 2} unread`);

    await bell().click();
    await page.getByRole('dialog', { name: 'Notifications' }).getByRole('link', { name: 'All notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const list = page.getByRole('list', { name: 'Notifications, newest first' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(NOTIFICATIONS_PAGE_SIZE);
    await list.getByRole('link', { name: `Unread: ${nameB} assigned you a task in express: ${task.title}` }).waitFor();
    await screenshot(page, 'notifications');
    await expectAccessible(page, 'notifications', { dark: true });

    await page.getByRole('link', { name: 'Older notifications' }).click();
    await page.getByText('No older notifications.').waitFor();
    // The older page: the mention read before, and the first replies.
    await list.getByRole('link', { name: `${nameB} mentioned you on lib/express.js:3 in express` }).waitFor();
    expect(new URL(page.url()).searchParams.get('before')).toMatch(/^\d+$/);
    await page.getByRole('link', { name: 'Newest' }).click();

    await page.getByLabel('Kind').selectOption({ label: 'Tasks' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('kind')).toBe('tasks');
    await list.getByRole('button', { name: /^Mark read/ }).click();
    await expect.poll(bellLabel).toBe(`Notifications, ${NOTIFICATIONS_PAGE_SIZE + 1} unread`);
    await page.getByLabel('Unread only').check();
    await page.getByText('No unread notifications of this kind.').waitFor();

    await page.getByLabel('Kind').selectOption({ label: 'Every kind' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(NOTIFICATIONS_PAGE_SIZE);
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByText('No unread notifications.').waitFor();
    await expect.poll(bellLabel).toBe('Notifications, none unread');
    expect(cspViolations).toEqual([]);
  });

  it('shows a sync someone else started, its stages from the event stream, with no polling', async () => {
    await page.goto(`${server.url}/projects/${projectId}`);
    await page
      .getByTestId('sync-outcome')
      .filter({ hasText: /^Completed/ })
      .waitFor();
    const polls: string[] = [];
    const onRequest = (r: Request) => {
      if (r.method() === 'GET' && /\/api\/v1\/repo\/sync\//.test(r.url())) polls.push(r.url());
    };
    page.on('request', onRequest);
    // B's sync notifies only B: A's page learns of it from sync_progress alone.
    const started = await b.repo.sync(projectId);
    const report = page.locator(`[data-sync-id="${started.sync_id}"]`);
    await report.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => report.getByTestId('sync-outcome').textContent(), { timeout: 60_000 })
      .toMatch(new RegExp(`^Completed .*, at commit ${git(remote, 'rev-parse', 'master').slice(0, 12)}\\.$`));
    expect(await page.locator('.stage.done').count()).toBe(6);
    expect(polls.filter((u) => u.includes(started.sync_id))).toEqual([]);
    page.off('request', onRequest);
  });

  it('syncs now with the stages shown and the result', async () => {
    await page.getByRole('button', { name: 'Sync now' }).click();
    const seen = new Set<string>();
    const outcome = page.getByTestId('sync-outcome');
    const deadline = Date.now() + 120_000;
    let completed = false;
    while (Date.now() < deadline && !completed) {
      (await page.locator('.stage[aria-current="step"]').allTextContents()).forEach((s) => seen.add(s));
      const text = (await outcome.textContent()) ?? '';
      if (/failed/.test(text)) throw new Error(await page.locator('main').innerText());
      completed = /^Completed/.test(text) && (await page.getByRole('button', { name: 'Sync now' }).isEnabled());
      await page.waitForTimeout(50);
    }
    expect(completed).toBe(true);
    expect(await page.locator('.stage.done').count()).toBe(6);
    await expectAccessible(page, 'project (synced live)', { dark: true });
  }, 180_000);

  it('falls back to polling when the stream is blocked: the bell and the sync stages still update', async () => {
    const polls: { status: number; conditional: boolean; interval: string | undefined }[] = [];
    await page.route('**/api/v1/events*', (route) => route.abort('connectionrefused'));
    // The server's X-Poll-Interval is obeyed; a short one keeps the test quick.
    await page.route(/\/api\/v1\/notifications\?/, async (route: Route) => {
      const response = await route.fetch();
      const headers = response.headers();
      polls.push({
        status: response.status(),
        conditional: route.request().headers()['if-none-match'] !== undefined,
        interval: headers['x-poll-interval'],
      });
      await route.fulfill({ response, headers: { ...headers, 'x-poll-interval': '1' } });
    });
    try {
      await page.reload();
      await page.getByRole('heading', { name: 'express', level: 1 }).waitFor();
      // Conditional polls (If-None-Match), answered 304 while nothing changes.
      await expect.poll(() => polls.some((p) => p.conditional && p.status === 304), { timeout: 15_000 }).toBe(true);
      expect(polls.every((p) => p.interval === '45' || p.interval === '15')).toBe(true);

      await b.threads.reply(thread.thread_id, 'Polled, not streamed');
      await expect.poll(bellLabel, { timeout: 15_000 }).toBe('Notifications, 1 unread');

      // Without the stream the sync is asked for its stage twice a second.
      const syncPolls: string[] = [];
      const onRequest = (r: Request) => {
        if (r.method() === 'GET' && /\/api\/v1\/repo\/sync\//.test(r.url())) syncPolls.push(r.url());
      };
      page.on('request', onRequest);
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect
        .poll(() => page.getByTestId('sync-outcome').textContent(), { timeout: 60_000 })
        .toMatch(/^Completed/);
      await expect.poll(() => page.getByRole('button', { name: 'Sync now' }).isEnabled()).toBe(true);
      expect(syncPolls.length).toBeGreaterThan(0);
      page.off('request', onRequest);
    } finally {
      await page.unrouteAll({ behavior: 'wait' });
    }
  }, 120_000);

  it('lists, creates, assigns and moves a project’s tasks', async () => {
    await page.goto(`${server.url}/projects/${projectId}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    const list = page.getByRole('list', { name: 'Tasks, newest first' });
    await list.getByRole('heading', { name: 'Review <script>the router</script>' }).waitFor();

    // The form checks before sending.
    await page.getByText('New task', { exact: true }).click();
    const form = page.getByRole('form', { name: 'New task' });
    await form.getByRole('button', { name: 'Create task' }).click();
    await form.getByText('Give the task a title.').waitFor();
    await form.getByLabel('Title').fill('Document the router');
    await form.getByLabel('Description').fill('Line one\n<i>not italic</i>');
    await form.getByLabel('Assignee').selectOption({ label: nameB });
    await form.getByRole('button', { name: 'Create task' }).click();
    const row = list.getByRole('listitem').filter({ hasText: 'Document the router' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`assigned to ${nameB}`);
    expect(await list.locator('i, script').count()).toBe(0);
    expect((await b.notifications.list({ types: ['task_assigned'] })).notifications).toHaveLength(1);

    await row.getByLabel('Status of Document the router').selectOption({ label: 'In progress' });
    await expect.poll(() => row.textContent()).toContain('In progress ·');
    const filters = page.getByRole('form', { name: 'Filter tasks' });
    await filters.getByLabel('Status').selectOption({ label: 'In progress' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('status')).toBe('in_progress');
    await filters.getByLabel('Status').selectOption({ label: 'Done' });
    await page.getByText('No task matches these filters.').waitFor();
    await filters.getByLabel('Status').selectOption({ label: 'Any status' });
    await filters.getByLabel('Assignee').selectOption({ label: 'Me' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    await list.getByRole('heading', { name: 'Review <script>the router</script>' }).waitFor();
    await filters.getByLabel('Assignee').selectOption({ label: 'Anyone' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    await page.getByText('New task', { exact: true }).click(); // folds the form away
    await screenshot(page, 'tasks');
    await expectAccessible(page, 'tasks', { dark: true });
    expect(cspViolations).toEqual([]);
  });

  it('fits a phone’s width: bell menu, notifications and tasks', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      await page.goto(`${server.url}/projects/${projectId}/tasks`);
      await page.getByRole('list', { name: 'Tasks, newest first' }).waitFor();
      expect(await overflowsSideways(page), 'tasks').toBe('');
      await page.goto(`${server.url}/notifications`);
      await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
      await page.getByRole('list', { name: 'Notifications, newest first' }).waitFor();
      expect(await overflowsSideways(page), 'notifications').toBe('');
      await bell().click();
      await page
        .getByRole('dialog', { name: 'Notifications' })
        .getByRole('link', { name: 'All notifications' })
        .waitFor();
      expect(await overflowsSideways(page), 'bell menu').toBe('');
      await expectAccessible(page, 'bell menu (phone)');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
