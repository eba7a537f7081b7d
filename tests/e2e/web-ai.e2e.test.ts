import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import {
  createAndSyncInBrowser,
  expectAccessible,
  logIn,
  openWatchedPage,
  overflowsSideways,
  registerInBrowser,
  screenshot,
  syncedProjectThroughSdk,
  webSession,
} from '../support/web.js';

/**
 * AI from the web app, in Debian's Chromium, with the server's offline (`local`) provider, on the express clone:
 * register, create the project and sync it in the browser, select the undocumented `sendfile` in lib/response.js,
 * Document → the job's page shows its progress and then the suggestion's diff → approve with a comment → the
 * downloaded patch is a unified diff `git apply --check` accepts in a checkout of express → the `git apply` command is
 * shown and copied. The rename dialog refuses a bad identifier before sending; a viewer sees no review buttons; the
 * job page and the list pass axe in both themes and fit a phone's width.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: AI', () => {
  const web = webSession('webai', { permissions: ['clipboard-read', 'clipboard-write'] });
  const work = tempDir('hivesync-webai-work-');
  let server: ServerProcess;
  let page: Page;
  let remote: string;
  let cspViolations: string[];
  let projectId: string;
  let jobUrl: string;
  let suggestionId: string;
  const email = 'web-ai@example.test';
  const password = 'web ai e2e password';
  const sendfileLine = () =>
    git(remote, 'show', 'master:lib/response.js')
      .split('\n')
      .indexOf('function sendfile(res, file, options, callback) {') + 1;

  beforeAll(() => {
    ({ server, page, remote, cspViolations } = web);
  });

  it('registers, creates the express project and syncs it', async () => {
    await registerInBrowser(page, server.url, { name: 'Ada Reviewer', email, password });
    projectId = await createAndSyncInBrowser(page, remote);
  }, 300_000);

  it('documents the function at the selected line and opens the job, which shows its progress then the diff', async () => {
    const commit = git(remote, 'rev-parse', 'master');
    const line = sendfileLine();
    expect(line).toBeGreaterThan(0);
    // The permalink selects the line, as a click on its number does.
    await page.goto(`${server.url}/projects/${projectId}/blob/${commit}/lib/response.js#L${line}`);
    await page.locator('.cm-permalink-line').first().waitFor();
    const documentButton = page.getByRole('group', { name: 'AI' }).getByRole('button', { name: /^Document/ });
    expect(await documentButton.textContent()).toBe(`Document the function at line ${line}`);
    await documentButton.click();

    await page.waitForURL(/\/ai\/[0-9a-f-]{36}$/);
    jobUrl = page.url();
    await page.getByRole('heading', { name: 'Document a function in lib/response.js', level: 1 }).waitFor();
    // The progress is shown while the job is queued or running (reading and type-checking express takes seconds).
    const status = page.getByTestId('ai-status');
    const seen = new Set<string>();
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const text = (await status.textContent()) ?? '';
      seen.add(text.replace(/ in .*$/, '').replace(/ \(this page.*$/, ''));
      if (/^(Completed|Failed)/.test(text)) break;
      await page.waitForTimeout(100);
    }
    expect(
      [...seen].some((s) => /^(Queued|Running)/.test(s)),
      [...seen].join(' | '),
    ).toBe(true);
    expect(await status.textContent()).toMatch(/^Completed in /);

    // The suggestion: its description, file, state, and the diff with its added doc comment lines.
    await page.getByRole('heading', { name: 'Suggestion', level: 2 }).waitFor();
    expect(await page.getByTestId('suggestion-state').textContent()).toBe('Proposed: waiting for review');
    const file = page.locator('section.diff-file', { has: page.getByRole('heading', { name: 'lib/response.js' }) });
    await file.waitFor();
    const added = await file.locator('tr.add td.code').allTextContents();
    expect(added[0]).toBe('/**');
    expect(added).toContain(' * TODO: describe.');
    expect(
      added.some((l) => /^ \* @param .*callback/.test(l)),
      added.join('\n'),
    ).toBe(true);
    expect(await file.locator('tr.hunk').count()).toBeGreaterThanOrEqual(1);
    expect(await file.locator('tr.delete').count()).toBe(0);
    // The picture shows the suggestion with its diff: a taller window, scrolled to it.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.getByRole('heading', { name: 'Suggestion', level: 2 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'ai-job');
    await page.setViewportSize({ width: 1280, height: 800 });
    await expectAccessible(page, 'AI job', { dark: true });
    expect(cspViolations).toEqual([]);
  }, 180_000);

  it('approves with a comment, kept in the history', async () => {
    const review = page.getByRole('form', { name: 'Review the suggestion' });
    await review.getByLabel(/Comment/).fill('Reads well; <b>ship it</b>.');
    await review.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('suggestion-state').getByText('Approved: not applied yet').waitFor();
    const history = page.locator('.suggestion-history li');
    expect(await history.first().textContent()).toMatch(/^Approved by Ada Reviewer, /);
    // The comment is text: the markup shows as typed.
    expect(await history.first().locator('blockquote').textContent()).toBe('Reads well; <b>ship it</b>.');
    expect(await history.first().locator('b').count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Review the suggestion' }).count()).toBe(0);
  });

  it('downloads the patch, which git apply accepts in a checkout of express, and copies the command', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download patch' }).click(),
    ]);
    const job = await (await owner()).ai.get(jobUrl.split('/').at(-1)!);
    suggestionId = job.suggestions[0]!.id;
    expect(job.suggestions[0]!.history[0]!.comment).toBe('Reads well; <b>ship it</b>.');
    expect(download.suggestedFilename()).toBe(`hivesync-${suggestionId.slice(0, 8)}.patch`);
    const checkout = path.join(work.dir, 'express');
    execFileSync('git', ['clone', '-q', remote, checkout]);
    const patchFile = path.join(checkout, download.suggestedFilename());
    await download.saveAs(patchFile);
    const patch = fs.readFileSync(patchFile, 'utf8');
    expect(patch).toMatch(
      /^diff --git a\/lib\/response\.js b\/lib\/response\.js\nindex [0-9a-f]{40}\.\.[0-9a-f]{40}\n--- a\/lib\/response\.js\n\+\+\+ b\/lib\/response\.js\n@@ -\d+,\d+ \+\d+,\d+ @@/,
    );

    // The command shown is what a person runs at the root of their checkout.
    const command = page.getByRole('region', { name: 'Apply it in your checkout' }).locator('pre.command');
    expect(await command.textContent()).toBe(`git apply ${download.suggestedFilename()}`);
    execFileSync('git', ['apply', '--check', download.suggestedFilename()], { cwd: checkout });
    execFileSync('sh', ['-c', (await command.textContent())!], { cwd: checkout });
    expect(git(checkout, 'diff', '--stat')).toMatch(/lib\/response\.js \| \d+ \+/);

    await page.getByRole('button', { name: 'Copy git apply command' }).click();
    await page.getByTestId('copy-result').getByText(`Copied: git apply ${download.suggestedFilename()}`).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`git apply ${download.suggestedFilename()}`);

    // Applied: reported from the page, shown with who and when.
    await page.getByRole('button', { name: 'Mark as applied' }).click();
    await page
      .getByTestId('applied-status')
      .getByText(/^Applied to a working copy by Ada Reviewer, /)
      .waitFor();
    expect(await page.getByTestId('suggestion-state').textContent()).toBe('Applied to a working copy');
  });

  it('refuses a rename to a name that is not an identifier before sending it', async () => {
    const commit = git(remote, 'rev-parse', 'master');
    const line = sendfileLine();
    await page.goto(`${server.url}/projects/${projectId}/blob/${commit}/lib/response.js#L${line}`);
    await page.locator('.cm-permalink-line').first().waitFor();
    const opener = page.getByRole('button', { name: 'Rename symbol…' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Rename a symbol' });
    await dialog.waitFor();
    // Prefilled with what the selected line declares; focus starts in the dialog.
    expect(await dialog.getByLabel('Symbol').inputValue()).toBe('sendfile');
    expect(await page.evaluate('document.activeElement?.id')).toBe(
      await dialog.getByLabel('Symbol').getAttribute('id'),
    );
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/ai/jobs') && r.method() === 'POST') requests.push(r.url());
    });
    await dialog.getByLabel('New name').fill('send-file');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.getByText('“send-file” is not a valid identifier').waitFor();
    expect(await dialog.getByLabel('New name').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('New name').fill('class');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.getByText('“class” is a reserved word.').waitFor();
    expect(requests).toEqual([]);
    await expectAccessible(page, 'rename dialog', { dark: true });
    // Esc closes it and gives focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await opener.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // No refactor without a language model (the offline provider).
    expect(await page.getByRole('button', { name: 'Refactor…' }).count()).toBe(0);
  });

  it('renames across the file, and downloads only the hunks kept', async () => {
    await page.getByRole('button', { name: 'Rename symbol…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename a symbol' });
    await dialog.getByLabel('New name').fill('sendFileTo');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.waitForURL(/\/ai\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Rename a symbol in lib/response.js', level: 1 }).waitFor();
    await page
      .getByTestId('ai-status')
      .getByText(/^(Completed|Failed)/)
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('ai-status').textContent()).toMatch(/^Completed/);

    // sendfile is declared once and called once: two hunks, each with its own box.
    const boxes = page.getByRole('checkbox', { name: /^Include the hunk at line \d+ of lib\/response\.js/ });
    await boxes.first().waitFor();
    expect(await boxes.count()).toBe(2);
    expect(await page.getByTestId('hunks-picked').textContent()).toMatch(/^2 of 2 hunks in the patch/);
    await boxes.first().uncheck();
    expect(await page.getByTestId('hunks-picked').textContent()).toMatch(/^1 of 2 hunks in the patch/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download patch (selected hunks)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^hivesync-[0-9a-f]{8}-partial\.patch$/);
    const command = page.getByRole('region', { name: 'Apply it in your checkout' }).locator('pre.command');
    expect(await command.textContent()).toBe(`git apply ${download.suggestedFilename()}`);

    const checkout = path.join(work.dir, 'express-partial');
    execFileSync('git', ['clone', '-q', remote, checkout]);
    await download.saveAs(path.join(checkout, download.suggestedFilename()));
    execFileSync('sh', ['-c', (await command.textContent())!], { cwd: checkout });
    const changed = git(checkout, 'diff', '-U0', '--', 'lib/response.js');
    // Only the declaration is renamed; the call (the unticked hunk) is left as it was.
    expect(changed).toContain('+function sendFileTo(res, file, options, callback) {');
    expect(changed).not.toContain('+  sendFileTo(res, file, opts');
    await expectAccessible(page, 'AI job (rename, hunks)');
  }, 180_000);

  it("lists the project's jobs with action, file, state, who and when; axe in both themes; a phone's width", async () => {
    await page.goto(`${server.url}/projects/${projectId}`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'AI' }).click();
    await page.getByRole('heading', { name: 'AI', level: 1 }).waitFor();
    const list = page.getByRole('list', { name: 'AI jobs, newest first' });
    // Newest first: the rename, then the documentation.
    await list.getByRole('listitem').first().waitFor();
    expect(await list.getByRole('listitem').first().textContent()).toContain('Rename a symbol');
    const item = list.getByRole('listitem').filter({ hasText: 'Document a function' });
    await item.waitFor();
    await item.getByText(/Ada Reviewer/).waitFor(); // once the members have loaded
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Document a function');
    expect(text).toContain('lib/response.js');
    expect(text).toContain('completed');
    expect(text).toContain('Applied to a working copy');
    expect(text).toContain('Ada Reviewer');
    expect(await item.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await page.getByRole('navigation', { name: 'Pages of AI jobs' }).textContent()).toContain('No older job.');
    await screenshot(page, 'ai');
    await expectAccessible(page, 'AI jobs', { dark: true });

    await page.setViewportSize({ width: 375, height: 740 });
    expect(await overflowsSideways(page)).toBe('');
    await page.goto(jobUrl);
    await page.getByRole('heading', { name: 'Suggestion', level: 2 }).waitFor();
    await page.locator('section.diff-file').first().waitFor();
    expect(await overflowsSideways(page)).toBe('');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a viewer the suggestion without the review buttons', async () => {
    const client = await owner();
    const viewerEmail = 'web-ai-viewer@example.test';
    const viewer = new HiveSyncClient({ baseUrl: server.url });
    await viewer.auth.register({ email: viewerEmail, password, display_name: 'Vic Viewer' });
    await client.members.add(projectId, { email: viewerEmail, role: 'viewer' });
    const job = await client.ai.create({
      project_id: projectId,
      action: 'document_function',
      path: 'lib/response.js',
      symbol: 'sendfile',
    });
    await client.ai.waitForJob(job.job_id);

    const other = await openWatchedPage(web.browser);
    await other.page.goto(`${server.url}/login`);
    await other.page.getByLabel('Email').fill(viewerEmail);
    await other.page.getByLabel('Password').fill(password);
    await other.page.getByRole('button', { name: 'Log in' }).click();
    await other.page.getByRole('heading', { name: 'Projects' }).waitFor();
    await other.page.goto(`${server.url}/projects/${projectId}/ai/${job.job_id}`);
    await other.page.getByRole('heading', { name: 'Suggestion', level: 2 }).waitFor();
    await other.page.getByText('Viewers can read suggestions; a member approves or rejects them.').waitFor();
    expect(await other.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await other.page.getByRole('link', { name: 'Download patch' }).count()).toBe(1);
    // And the file view offers a viewer no AI request.
    const commit = git(remote, 'rev-parse', 'master');
    await other.page.goto(`${server.url}/projects/${projectId}/blob/${commit}/lib/response.js`);
    await other.page.getByRole('button', { name: 'Copy permalink' }).waitFor();
    expect(await other.page.getByRole('group', { name: 'AI' }).count()).toBe(0);
    await other.context.close();
  });

  it('says in words why a job failed', async () => {
    const commit = git(remote, 'rev-parse', 'master');
    // Line 1 is the file's licence comment: no function there.
    await page.goto(`${server.url}/projects/${projectId}/blob/${commit}/lib/response.js#L1`);
    await page.locator('.cm-permalink-line').first().waitFor();
    await page
      .getByRole('group', { name: 'AI' })
      .getByRole('button', { name: /^Document/ })
      .click();
    await page.waitForURL(/\/ai\/[0-9a-f-]{36}$/);
    await page
      .getByTestId('ai-status')
      .getByText(/^Failed/)
      .waitFor({ timeout: 120_000 });
    const failure = page.getByRole('alert');
    await failure.getByRole('heading', { name: 'No function or symbol was found there' }).waitFor();
    expect(await failure.textContent()).toContain('Error code symbol_not_found');
    expect(await page.getByRole('heading', { name: 'Suggestion' }).count()).toBe(0);
    await expectAccessible(page, 'AI job (failed)', { dark: true });
  }, 180_000);

  it('pages the list of jobs by the server’s cursor', async () => {
    const client = await owner();
    // Jobs on a function documented already complete at once, with nothing to change.
    for (let i = 0; i < 18; i++) {
      await client.ai.create({
        project_id: projectId,
        action: 'document_function',
        path: 'lib/application.js',
        symbol: 'logerror',
      });
    }
    const all = (await client.ai.list(projectId)).jobs;
    expect(all.length).toBe(22);
    await page.goto(`${server.url}/projects/${projectId}/ai`);
    const list = page.getByRole('list', { name: 'AI jobs, newest first' });
    await list.getByRole('listitem').first().waitFor();
    expect(await list.getByRole('listitem').count()).toBe(20);
    await page.getByRole('link', { name: 'Older jobs' }).click();
    await page.waitForURL(/\/ai\?cursor=/);
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    expect(await list.getByRole('link').allTextContents()).toEqual(
      all
        .slice(20)
        .map((j) => `${j.action === 'rename_symbol' ? 'Rename a symbol' : 'Document a function'} in ${j.path}`),
    );
    await page.getByRole('link', { name: 'Newest jobs' }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(20);
  });

  /** The account the browser registered, through the SDK (for what the test checks beside the page). */
  async function owner(): Promise<HiveSyncClient> {
    const client = new HiveSyncClient({ baseUrl: server.url });
    await client.auth.login({ email, password });
    return client;
  }
});

/**
 * With a language model configured (an OpenAI-compatible server on loopback, played by the test), the file view
 * offers "Refactor…": its dialog refuses empty instructions before sending, then the job's page shows the file the
 * model rewrote as the suggestion's diff.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: AI refactor with a model', () => {
  const data = tempDir('hivesync-webai-model-data-');
  const home = tempDir('hivesync-webai-model-home-');
  let fake: http.Server;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let remote: string;
  const asked: string[] = [];

  beforeAll(async () => {
    remote = cloneTestRepo('express', home.dir);
    const utils = git(remote, 'show', 'master:lib/utils.js');
    // The model answers a refactor with lib/utils.js whose first `var` became `const`; anything else with a sentence.
    fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const prompt = JSON.stringify(JSON.parse(body).messages);
        asked.push(prompt);
        const content = prompt.includes('JSON')
          ? JSON.stringify({
              description: 'Use const for the imports',
              files: [{ path: 'lib/utils.js', content: utils.replace(/^var /m, 'const ') }],
            })
          : 'A sentence.';
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    server = spawnServer({
      HIVESYNC_DATA_DIR: data.dir,
      HIVESYNC_AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`,
      HIVESYNC_AI_MODEL: 'test-model',
    });
    await server.ready;
    const user = { email: 'model@example.test', password: 'model e2e password' };
    const { projectId } = await syncedProjectThroughSdk(server.url, remote, user);
    browser = await launchChromium();
    ({ page } = await openWatchedPage(browser));
    await logIn(page, server.url, user.email, user.password);
    await page.goto(`${server.url}/projects/${projectId}/blob/${git(remote, 'rev-parse', 'master')}/lib/utils.js`);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    fake?.close();
    data.remove();
    home.remove();
  });

  it('refactors the file as instructed, after checking the instructions', async () => {
    const opener = page.getByRole('button', { name: 'Refactor…' });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Refactor with the model' });
    await dialog.getByRole('button', { name: 'Refactor', exact: true }).click();
    await dialog.getByText('Say what to change.').waitFor();
    expect(asked).toEqual([]);
    await expectAccessible(page, 'refactor dialog', { dark: true });
    await dialog.getByLabel('Instructions').fill('Use const for the imports.');
    await dialog.getByRole('button', { name: 'Refactor', exact: true }).click();
    await page.waitForURL(/\/ai\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Refactor in lib/utils.js', level: 1 }).waitFor();
    await page
      .getByTestId('ai-status')
      .getByText(/^(Completed|Failed)/)
      .waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('ai-status').textContent()).toMatch(/^Completed/);
    await page.getByText('Use const for the imports').first().waitFor();
    const file = page.locator('section.diff-file', { has: page.getByRole('heading', { name: 'lib/utils.js' }) });
    // The diff is asked for on its own, after the suggestion's text shows.
    await file.locator('tr.add td.code').first().waitFor();
    expect((await file.locator('tr.add td.code').allTextContents())[0]).toMatch(/^const /);
    expect((await file.locator('tr.delete td.code').allTextContents())[0]).toMatch(/^var /);
    expect(asked.some((p) => p.includes('Use const for the imports.'))).toBe(true);
  }, 180_000);
});
