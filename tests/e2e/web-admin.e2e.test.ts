import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient, isHiveSyncError } from '../../packages/sdk/src/index.js';
import { backends, tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { ROOT, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { expectAccessible, logIn, openWatchedPage, syncedProjectThroughSdk } from '../support/web.js';
import { reportFailedBuild, WORKER_SECRET } from '../support/web-previews.js';

// `HIVESYNC_WEB_SCREENSHOTS=1 npx vitest run tests/e2e/web-admin.e2e.test.ts` refreshes the pictures in docs/admin.md
// (from the embedded run).
const SCREENSHOTS = process.env.HIVESYNC_WEB_SCREENSHOTS === '1';
const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout, interval: 250 });

/** Every view of /admin: its address, the heading it shows, and the name of its picture in docs/images. */
const VIEWS = [
  { path: '/admin', link: 'Overview', heading: 'Overview', picture: 'overview' },
  { path: '/admin/users', link: 'Users', heading: 'Users', picture: 'users' },
  { path: '/admin/workers', link: 'Workers & pools', heading: 'Workers & pools', picture: 'workers' },
  { path: '/admin/queues', link: 'Queues & jobs', heading: 'Queues & jobs', picture: 'queues' },
  { path: '/admin/previews', link: 'Previews', heading: 'Previews', picture: 'previews' },
  { path: '/admin/ai', link: 'AI', heading: 'AI', picture: 'ai' },
  { path: '/admin/syncs', link: 'Syncs', heading: 'Syncs', picture: 'syncs' },
  { path: '/admin/rate-limits', link: 'Rate limits', heading: 'Rate limits', picture: 'rate-limits' },
  { path: '/admin/autoscaling', link: 'Autoscaling', heading: 'Autoscaling', picture: 'autoscaling' },
  { path: '/admin/audit', link: 'Audit', heading: 'Audit log', picture: 'audit' },
  { path: '/admin/health', link: 'Health history', heading: 'Health history', picture: 'health' },
] as const;

/**
 * A git "remote" over HTTP that takes the request and never answers: a sync of it stays in flight (its worker holds
 * the job) for as long as the test wants. `requests` counts what reached it.
 */
async function stuckRemote(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer(() => {
    requests++; // never answered
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/team/stuck.git`,
    requests: () => requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Issue #15's dashboard in Debian's Chromium against a real server, on the embedded backends and (with DATABASE_URL
 * and REDIS_URL, as in CI) on PostgreSQL + Redis: every view passes axe; a non-admin gets the not-found page at
 * /admin (and never downloads the section) and not_found from the API; an admin disables a user, whose next request
 * is refused; a sync job whose worker died (the server killed with SIGKILL mid-sync) is listed failed and retried
 * from the Queues view; a scaling rule edited in the browser, then the only worker drained and jobs sent, and the
 * decision log shows the evaluator scaling the pool up.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express')).each(backends())(
  'the admin dashboard on $name',
  (backend) => {
    const data = tempDir('hivesync-admin-data-');
    const home = tempDir('hivesync-admin-home-');
    const admin = { email: 'admin@example.test', password: 'admin e2e password one' };
    const user = { email: 'member@example.test', password: 'member e2e password two' };
    let env: Record<string, string>;
    let cleanup = async () => undefined as void;
    let server: ServerProcess;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let cspViolations: string[];
    let other: { context: BrowserContext; page: Page; cspViolations: string[] } | undefined;
    let remote: Awaited<ReturnType<typeof stuckRemote>>;
    let adminSdk: HiveSyncClient;
    let userSdk: HiveSyncClient;
    let userId: string;
    let projectId: string;

    const start = async (extra: Record<string, string> = {}) => {
      server = spawnServer({ ...env, ...extra });
      await server.ready;
    };
    const shot = async (name: string) => {
      if (SCREENSHOTS && backend.name === 'embedded') {
        await page.screenshot({ path: path.join(ROOT, 'docs/images', `admin-${name}.png`) });
      }
    };

    beforeAll(async () => {
      const express = cloneTestRepo('express', home.dir);
      remote = await stuckRemote();
      const provisioned = await backend.provision();
      cleanup = provisioned.cleanup;
      env = {
        HIVESYNC_DATA_DIR: data.dir,
        ...provisioned.env,
        HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
        // The stuck remote listens on loopback.
        HIVESYNC_ALLOW_PRIVATE_REMOTES: 'true',
        HIVESYNC_ALLOW_HTTP_REPOS: 'true',
        // A sync gets one attempt: the one whose worker dies is failed, not retried by the queue.
        HIVESYNC_SYNC_RETRY_LIMIT: '0',
        // A dead worker is noticed after three missed beats (1.5 s), as on a real outage but sooner.
        HIVESYNC_HEARTBEAT_INTERVAL_MS: '500',
        // The rules are evaluated every second and the health checks sampled every 2 s, so the views move in seconds.
        HIVESYNC_AUTOSCALE_INTERVAL_SECONDS: '1',
        HIVESYNC_HEALTH_SAMPLE_SECONDS: '2',
        // A build worker's callbacks are signed with it (the test reports failed preview builds as a worker does).
        WORKER_SHARED_SECRET: WORKER_SECRET,
        // Three searches a minute per user: the fourth is refused and counted, for the rate-limit view.
        HIVESYNC_LIMIT_SEARCH_PER_MINUTE: '3',
      };
      await start();
      // The first account of an instance is its admin; it syncs express so that the views have figures to show.
      ({ client: adminSdk, projectId } = await syncedProjectThroughSdk(server.url, express, {
        ...admin,
        name: 'Ada Admin',
      }));
      userSdk = new HiveSyncClient({ baseUrl: server.url });
      userId = (await userSdk.auth.register({ ...user, display_name: 'Mo Member' })).user.id;
      browser = await launchChromium();
      ({ context, page, cspViolations } = await openWatchedPage(browser));
      await logIn(page, server.url, admin.email, admin.password);
    }, 300_000);

    afterAll(async () => {
      await other?.context.close();
      await context?.close();
      await browser?.close();
      await stopServer(server);
      await remote?.close();
      await cleanup();
      data.remove();
      home.remove();
    });

    it('a non-admin has no Admin link, gets the not-found page at /admin without loading it, and not_found from the API', async () => {
      other = await openWatchedPage(browser);
      const assets: string[] = [];
      other.page.on('request', (r) => {
        if (r.url().includes('/assets/')) assets.push(new URL(r.url()).pathname);
      });
      await logIn(other.page, server.url, user.email, user.password);
      const nav = other.page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
      await other.page.goto(`${server.url}/admin/users`);
      await other.page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
      expect(await other.page.getByText('There is no page at /admin/users').count()).toBe(1);
      // The section's code (its layout, its views, ECharts) was never fetched.
      expect(assets.filter((a) => /\/(AdminSection|OverviewPage|UsersPage|Chart)-/.test(a))).toEqual([]);
      await expectAccessible(other.page, 'not found at /admin');

      const refused = await userSdk.admin.listUsers().then(
        () => null,
        (err: unknown) => err,
      );
      expect(isHiveSyncError(refused) && refused.code, String(refused)).toBe('not_found');
    });

    it('every admin view shows and has no serious or critical axe finding, in both themes', async () => {
      // Figures for the analytics views, made the way they happen: AI jobs on the offline provider (a suggestion
      // approved), build workers reporting failed preview builds, searches past the per-minute limit.
      const job = await adminSdk.ai.create({
        project_id: projectId,
        action: 'document_function',
        path: 'lib/response.js',
        symbol: 'sendfile',
      });
      const summary = await adminSdk.ai.create({
        project_id: projectId,
        action: 'summarize_file',
        path: 'lib/view.js',
      });
      await adminSdk.ai.waitForJob(summary.job_id);
      const done = await adminSdk.ai.waitForJob(job.job_id);
      expect(done.status).toBe('completed');
      const [suggestion] = (await adminSdk.ai.suggestions(projectId)).suggestions;
      await adminSdk.ai.approve(suggestion!.id);
      const failures = [
        ['web', 'build_failed', 'App.tsx:3:7: Expected ";" but found "<"'],
        ['web', 'build_failed', 'index.tsx:1:1: Could not resolve "react-native-web"'],
        ['android', 'build_timeout', 'The build took longer than 120 s.'],
      ] as const;
      for (const [platform, code, message] of failures) {
        const preview = await adminSdk.previews.create({ project_id: projectId, platform });
        const res = await reportFailedBuild(server.url, preview.preview_id, { code, message });
        expect(res.status, await res.clone().text()).toBe(200);
      }
      const searches = await Promise.allSettled(
        Array.from({ length: 5 }, () => adminSdk.repo.search(projectId, 'function')),
      );
      expect(searches.filter((r) => r.status === 'rejected').length).toBe(2);

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
      for (const view of VIEWS) {
        if (new URL(page.url()).pathname !== view.path) {
          await page
            .getByRole('navigation', { name: 'Admin' })
            .getByRole('link', { name: view.link, exact: true })
            .click();
        }
        await page.getByRole('heading', { name: view.heading, level: 1 }).waitFor();
        expect(new URL(page.url()).pathname).toBe(view.path);
        // Loaded: nothing says "Loading" any more, and no request failed.
        await poll(() => page.getByText(/^Loading/).count()).toBe(0);
        expect(await page.getByRole('alert').allTextContents(), view.path).toEqual([]);
        await expectAccessible(page, view.path, { dark: true });
        await shot(view.picture);
      }
      // Each chart has its figures as a table one click away.
      await page.goto(`${server.url}/admin/syncs?range=24h`);
      const chart = page.getByTestId('sync-series');
      await chart.getByText('Show as a table').click();
      const table = chart.getByRole('table', { name: 'Syncs completed and failed per bucket, with run times' });
      await table.waitFor();
      const completed = await table
        .locator('tbody tr')
        .evaluateAll((rows) => rows.reduce((n, r) => n + Number(r.querySelectorAll('td')[0]?.textContent ?? 0), 0));
      expect(completed).toBeGreaterThanOrEqual(1); // the sync of express in beforeAll
      // The bucket picker cuts the same range finer: 24 hourly rows (or 25, the range ending at the next minute)
      // become 96–97 rows of 15 minutes, with the same total, and the address keeps the choice.
      const rows = () => table.locator('tbody tr').count();
      expect(await rows()).toBeLessThanOrEqual(25);
      await page.getByRole('combobox', { name: 'Bucket' }).selectOption({ label: '15 minutes' });
      await poll(rows).toBeGreaterThanOrEqual(96);
      expect(new URL(page.url()).searchParams.get('bucket')).toBe('15m');
      // A year in days: read from the roll-ups and the rows after them (today's sync counts at once), and the run
      // times are marked as estimated.
      await page.getByRole('combobox', { name: 'Range' }).selectOption({ label: 'Last 365 days' });
      await page.getByTestId('percentiles-estimated').waitFor();
      expect(new URL(page.url()).searchParams.get('range')).toBe('365d');
      await poll(rows).toBeGreaterThanOrEqual(365);
      expect(
        await table
          .locator('tbody tr')
          .evaluateAll((rs) => rs.reduce((n, r) => n + Number(r.querySelectorAll('td')[0]?.textContent ?? 0), 0)),
      ).toBe(completed);

      // The heatmap's figures: the failures reported above, by platform.
      await page.goto(`${server.url}/admin/previews?range=24h`);
      const heatmap = page.getByTestId('preview-heatmap');
      await heatmap.getByText('Show as a table').click();
      const cells = async (platform: string) =>
        heatmap
          .getByRole('row', { name: new RegExp(`^${platform} `) })
          .locator('td')
          .evaluateAll((tds) => tds.reduce((n, td) => n + Number(td.textContent), 0));
      expect(await cells('web')).toBe(2);
      expect(await cells('android')).toBe(1);
      const reasons = page.getByTestId('preview-reasons');
      await reasons.getByText('Show as a table').click();
      expect(await reasons.getByRole('row', { name: /^build_failed 2$/ }).count()).toBe(1);

      // The rate-limit view names the route and the user refused.
      await page.goto(`${server.url}/admin/rate-limits?range=1h`);
      await page
        .getByRole('table', { name: /Refusals by user/ })
        .getByRole('row', { name: `${admin.email} 2` })
        .waitFor();

      // The audit log, searched on the server, exports as CSV.
      await page.goto(`${server.url}/admin/audit`);
      const search = page.getByRole('search', { name: 'Search the audit log' });
      await search.getByLabel('Action (or prefix.*)').fill('auth.*');
      await search.getByRole('button', { name: 'Search' }).click();
      await poll(() => new URL(page.url()).searchParams.get('action')).toBe('auth.*');
      const audit = page.getByTestId('audit');
      // The unfiltered page stays on screen until the server's answer replaces it: wait for that answer.
      await poll(() =>
        audit
          .locator('tbody tr')
          .filter({ hasNotText: /auth\./ })
          .count(),
      ).toBe(0);
      await poll(() => audit.getAttribute('aria-busy')).toBe('false');
      expect(await audit.locator('tbody tr').filter({ hasText: 'auth.login' }).count()).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Export as CSV' }).click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: /^Download hivesync-audit\.csv/ }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('hivesync-audit.csv');
      const csv = fs.readFileSync((await download.path())!, 'utf8').split('\r\n');
      expect(csv[0]).toBe('id,at,actor_id,actor_email,action,target_type,target_id,project_id,ip,details');
      expect(csv.some((line) => line.includes(`,${admin.email},auth.login,`))).toBe(true);
      expect(csv.filter((line) => line && line !== csv[0]).every((line) => line.includes(',auth.'))).toBe(true);
    }, 300_000);

    it('an admin disables a user: their next request is refused', async () => {
      expect((await userSdk.projects.list()).projects).toEqual([]); // works while enabled
      await page.goto(`${server.url}/admin/users`);
      const search = page.getByRole('search', { name: 'Search users' });
      await search.getByLabel('Email or name').fill('member@');
      await search.getByRole('button', { name: 'Search' }).click();
      await poll(() => new URL(page.url()).searchParams.get('q')).toBe('member@');
      const rows = page.getByRole('table').locator('tbody tr');
      await poll(() => rows.count()).toBe(1);
      await rows.getByRole('link', { name: user.email }).click();
      await page.getByRole('heading', { name: user.email, level: 1 }).waitFor();
      await shot('user');
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('button', { name: 'Yes, disable' }).click();
      await page.getByRole('status').getByText('Disabled: their sessions have ended.').waitFor();
      await page.locator('dl.facts').getByText('Disabled', { exact: true }).waitFor();

      const refused = await userSdk.projects.list().then(
        () => null,
        (err: unknown) => err,
      );
      expect(isHiveSyncError(refused) && refused.status, String(refused)).toBe(401);
      // The user's browser is sent to the login page at its next step.
      await other!.page.goto(`${server.url}/projects`);
      await other!.page.waitForURL(/\/login/);
      expect((await adminSdk.admin.getUser(userId)).disabled).toBe(true);

      // Enabled again, they can log in.
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByRole('status').getByText('Enabled.').waitFor();
      await new HiveSyncClient({ baseUrl: server.url }).auth.login(user);
    });

    it('retries a sync job whose worker died holding it', async () => {
      // A sync of the stuck remote: its worker holds the job while git waits for an answer.
      const project = await adminSdk.projects.create({ name: 'stuck', repo_url: remote.url });
      const { sync_id } = await adminSdk.repo.sync(project.id);
      await poll(() => remote.requests()).toBeGreaterThan(0);
      // The server dies with the job in its hands, and comes back on the same port (the browser's origin).
      server.proc.kill('SIGKILL');
      await server.exited;
      await start({ HIVESYNC_PORT: new URL(server.url).port });
      // The job is failed once the dead worker is noticed (its sync says why).
      await poll(async () => (await adminSdk.repo.getSync(sync_id)).status, 60_000).toBe('failed');

      await page.goto(`${server.url}/admin/queues?status=failed`);
      await page.getByRole('heading', { name: 'Queues & jobs', level: 1 }).waitFor();
      const jobs = page.getByTestId('jobs');
      const row = jobs.locator('tbody tr').filter({ hasText: 'repo-sync' }).first();
      await row.waitFor();
      expect(await row.textContent()).toMatch(/stopped responding/);
      const jobId = (await row.getAttribute('data-job-id'))!;
      await row.getByRole('button', { name: /^Retry/ }).click();
      await page
        .getByRole('status')
        .getByText(new RegExp(`Job ${jobId} is \\w+ now \\(retried\\)`))
        .waitFor();
      // It leaves the failed list, and the queue runs it again (the sync is already over: it completes at once).
      await poll(() => jobs.locator(`tbody tr[data-job-id="${jobId}"]`).count()).toBe(0);
      await poll(
        async () =>
          (await adminSdk.admin.listJobs({ queue: 'repo-sync', limit: 50 })).jobs.find((j) => j.job_id === jobId)
            ?.status,
      ).toBe('completed');
    }, 120_000);

    it('edits a scaling rule; with the worker drained and jobs waiting, the decision log shows the pool scaled up', async () => {
      await page.goto(`${server.url}/admin/autoscaling`);
      await page.getByRole('heading', { name: 'Autoscaling', level: 1 }).waitFor();
      const form = page.getByRole('form', { name: 'Rules' });
      if ((await form.locator('fieldset').count()) === 0) {
        await form.getByRole('button', { name: 'Add a rule' }).click();
      }
      const rule = form.locator('fieldset').first();
      // Checked before sending: the maximum below the minimum is refused in words.
      await rule.getByLabel('Pool', { exact: true }).fill('default');
      await rule.getByLabel('Minimum workers').fill('1');
      await rule.getByLabel('Maximum workers').fill('0');
      await form.getByRole('button', { name: 'Save rules' }).click();
      await form.getByText('The maximum must be at least the minimum.').waitFor();
      expect(await rule.getByLabel('Maximum workers').getAttribute('aria-invalid')).toBe('true');
      await rule.getByLabel('Maximum workers').fill('3');
      await rule.getByLabel('Scale up when more jobs than this wait').fill('2');
      await rule.getByLabel('Scale up when the oldest waiting job is older than (seconds)').fill('1');
      await rule.getByLabel('Scale down after idle minutes').fill('30');
      await rule.getByLabel('Enabled', { exact: true }).check();
      await form.getByRole('button', { name: 'Save rules' }).click();
      await form.getByRole('status').getByText('Rules saved: the next evaluation uses them.').waitFor();
      expect((await adminSdk.admin.autoscalingRules()).rules).toEqual([
        expect.objectContaining({ pool: 'default', min_workers: 1, max_workers: 3, scale_up_depth: 2 }),
      ]);

      // No free worker: the only one is drained from the Workers view, then work is sent.
      await page.goto(`${server.url}/admin/workers`);
      const workers = page.getByTestId('workers');
      // The running one (a worker that died earlier may still be listed, stale).
      await workers
        .locator('tbody tr')
        .filter({ hasText: 'Running' })
        .getByRole('button', { name: /^Drain/ })
        .click();
      await poll(() => workers.getByText('Draining').count()).toBeGreaterThan(0);
      const probe = await adminSdk.admin.canary({ delay_ms: 0 });
      for (let i = 0; i < 4; i++) await adminSdk.admin.canary({ delay_ms: 0 });

      await page.goto(`${server.url}/admin/autoscaling`);
      const log = page.getByTestId('decisions');
      const up = log.locator('tbody tr').filter({ hasText: 'default' }).filter({ hasText: 'scale up' });
      await poll(() => up.count(), 60_000).toBeGreaterThan(0);
      // What the evaluator saw (the jobs waiting) and what it wanted (more workers, within the rule's maximum).
      expect(await up.first().textContent()).toMatch(/jobs waiting > 2/);
      expect(await up.first().textContent()).toMatch(/→ [23](?!\d)/);
      await page.getByRole('heading', { name: 'Decision log' }).scrollIntoViewIfNeeded();
      await shot('autoscaling-decisions');

      // The overview shows the backed-up queue in its sparklines (a few readings, 5 s apart).
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Overview' }).click();
      const readings = async () =>
        Number(
          /last (\d+) readings/.exec(
            (await page.getByTestId('sparkline-waiting').getByRole('img').getAttribute('aria-label')) ?? '',
          )?.[1] ?? 0,
        );
      await poll(readings, 60_000).toBeGreaterThanOrEqual(3);
      expect(
        Number(
          await page
            .getByRole('list', { name: 'At a glance' })
            .getByRole('listitem')
            .filter({ hasText: 'Jobs waiting' })
            .locator('.figure')
            .textContent(),
        ),
      ).toBeGreaterThanOrEqual(5);
      await shot('overview');

      // Resumed, the worker runs what waited.
      await page.goto(`${server.url}/admin/workers`);
      await workers.getByRole('button', { name: /^Resume/ }).click();
      await poll(async () => (await adminSdk.admin.getCanary(probe.canary_id)).status, 60_000).toBe('completed');
      expect(cspViolations).toEqual([]);
      expect(other?.cspViolations ?? []).toEqual([]);
    }, 180_000);

    it('deletes a user who owns no project once their email is typed; an owner is told to hand their projects on', async () => {
      const leaver = { email: 'leaver@example.test', password: 'leaver e2e password three' };
      const leaverId = (
        await new HiveSyncClient({ baseUrl: server.url }).auth.register({
          ...leaver,
          display_name: 'Lee Leaver',
        })
      ).user.id;
      await page.goto(`${server.url}/admin/users/${leaverId}`);
      await page.getByRole('heading', { name: leaver.email, level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Delete user…' }).click();
      const confirm = page.getByRole('form', { name: 'Confirm deleting' });
      const go = confirm.getByRole('button', { name: 'Delete', exact: true });
      await confirm.getByLabel(/Type leaver@example\.test/).fill('leaver@example');
      expect(await go.isDisabled()).toBe(true);
      await confirm.getByLabel(/Type leaver@example\.test/).fill(leaver.email);
      await go.click();
      await page.waitForURL(/\/admin\/users$/);
      const gone = await adminSdk.admin.getUser(leaverId).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isHiveSyncError(gone) && gone.code, String(gone)).toBe('not_found');
      const refused = await new HiveSyncClient({ baseUrl: server.url }).auth.login(leaver).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isHiveSyncError(refused) && refused.status, String(refused)).toBe(401);

      // The admin owns the projects of this run: no delete button, and the page says what to do first.
      const me = (await adminSdk.auth.me()).id;
      await page.goto(`${server.url}/admin/users/${me}`);
      await page
        .getByText(/owns (a project|\d+ projects) \(.+\): transfer (it|them) to someone else or delete (it|them) first/)
        .waitFor();
      expect(await page.getByRole('button', { name: 'Delete user…' }).count()).toBe(0);
      expect(cspViolations).toEqual([]);
    });
  },
);
