import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { ROOT, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import {
  buildVsix,
  codeServerAvailable,
  extensionLog,
  startCodeServer,
  Workbench,
  type CodeServer,
} from '../support/vscode.js';

/**
 * The VS Code extension in a real VS Code: code-server with the built .vsix installed, driven through Debian's
 * Chromium, against a real server on a clone of express. Ada uses the extension; Grace, a second member, acts
 * through the SDK. Ada signs in, the workspace (a git clone of express) links itself to the project by its remote,
 * she syncs and sees the stages, sees Grace's thread in the gutter and replies, searches, documents a function and
 * approves and applies the suggestion (the file on disk changes, the server says applied), and gets a notification
 * when Grace replies.
 */
describe.skipIf(!codeServerAvailable() || !browserAvailable() || skipWithoutTestRepos('express'))(
  'the VS Code extension in code-server',
  () => {
    const data = tempDir('hivesync-vscode-data-');
    const home = tempDir('hivesync-vscode-home-');
    const vsc = tempDir('hivesync-vscode-cs-');
    let server: ServerProcess;
    let code: CodeServer;
    let browser: Browser;
    let page: Page;
    let wb: Workbench;
    let workspace: string;
    let grace: HiveSyncClient;
    let ada: HiveSyncClient;
    let projectId: string;
    const adaEmail = 'ada-vscode@example.test';
    const password = 'vscode e2e password';

    beforeAll(async () => {
      const vsix = buildVsix();
      expect(fs.statSync(vsix).size).toBeLessThan(1024 * 1024);
      const remote = cloneTestRepo('express', home.dir);
      workspace = path.join(home.dir, 'express');
      execFileSync('git', ['clone', '-q', remote, workspace]);
      // An app to preview inside the working copy, with React and esbuild installed (here: the repository's own).
      fs.cpSync(path.join(ROOT, 'tests/fixtures/preview-app'), path.join(workspace, 'preview-app'), {
        recursive: true,
      });
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workspace, 'preview-app/node_modules'));
      server = spawnServer({ HIVESYNC_DATA_DIR: data.dir });
      await server.ready;

      // Ada owns the project (made here, with the clone's remote as its repository); Grace is a member.
      ada = new HiveSyncClient({ baseUrl: server.url });
      await ada.auth.register({ email: adaEmail, password, display_name: 'Ada' });
      projectId = (await ada.projects.create({ name: 'express', repo_url: remote })).id;
      grace = new HiveSyncClient({ baseUrl: server.url });
      await grace.auth.register({ email: 'grace-vscode@example.test', password, display_name: 'Grace' });
      await ada.members.add(projectId, { email: 'grace-vscode@example.test', role: 'member' });

      code = await startCodeServer({
        dir: vsc.dir,
        vsix,
        workspace,
        settings: {
          'hivesync.serverUrl': server.url,
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.ignoreRecommendations': true,
          'git.enabled': false,
          // VS Code for the web saves a second after each edit; desktop VS Code does not. The test keeps an
          // unsaved edit on purpose (Apply must refuse over it), so it runs with desktop's default.
          'files.autoSave': 'off',
          'hivesync.preview.directory': 'preview-app',
        },
        // No agent runs: auto mode finds no discovery file and goes direct.
        env: { HIVESYNC_AGENT_DIR: path.join(vsc.dir, 'no-agent') },
      });
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      wb = new Workbench(page);
      await wb.open(code.url);
      await wb.extensionActive();
    }, 600_000);

    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail' && page)
        await wb.saveFailedStep(path.dirname(vsc.dir), 'hivesync-vscode', task.name, code);
    });

    afterAll(async () => {
      await browser?.close();
      await code?.stop();
      await stopServer(server);
      for (const d of [data, home, vsc]) d.remove();
    });

    it('offers to sign in, signs in with email and password, and links the workspace by its git remote', async () => {
      await wb.statusBar(/HiveSync: sign in/);
      await wb.command('HiveSync: Sign In');
      await wb.answer(adaEmail, { prompt: 'Email' });
      await wb.answer(password, { prompt: 'Password for' });
      await wb.toast(/signed in as Ada/);
      // The project's repository is the clone's origin: linked without asking.
      await wb.statusBar(/express: not synced yet/);
      await wb.screenshot('signed-in');
    }, 120_000);

    it('syncs, showing the stages in the status bar', async () => {
      await wb.command('HiveSync: Sync with Remote');
      const seen = new Set<string>();
      const deadline = Date.now() + 240_000;
      const item = page.locator('.statusbar .statusbar-item', { hasText: /express: / }).first();
      while (Date.now() < deadline) {
        const text = ((await item.textContent()) ?? '').trim();
        seen.add(text);
        if (/synced [0-9a-f]{7}/.test(text) || /failed/.test(text)) break;
        await page.waitForTimeout(100);
      }
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: workspace, encoding: 'utf8' }).trim();
      expect(((await item.textContent()) ?? '').trim()).toContain(`express: synced ${head.slice(0, 7)}`);
      expect(
        [...seen].some((s) => /sync: (queued|fetching|updating files|cleaning|finalizing)/.test(s)),
        [...seen].join(' | '),
      ).toBe(true);
    }, 300_000);

    it("shows Grace's thread in the gutter of its file and the Threads view, and posts Ada's reply", async () => {
      const thread = await grace.threads.create(projectId, {
        path: 'lib/application.js',
        start_line: 59,
        body: 'Why does **init** set the defaults here?',
      });
      await wb.command('HiveSync: Refresh Threads');
      await wb.openFile('lib/application.js', 59);
      // The thread's glyph in the gutter at its line.
      await page
        .locator('.margin-view-overlays .comment-thread, .margin-view-overlays [class*="comment-range-glyph"]')
        .first()
        .waitFor();
      // Open it from the Threads view.
      const widget = await wb.openThreadFromView('Why does init set the defaults here?');
      await expect.poll(() => widget.locator('strong', { hasText: 'init' }).count()).toBeGreaterThan(0);
      await wb.replyInThread(widget, 'Because `app` is ready only after it.');
      await expect
        .poll(async () => (await grace.threads.get(thread.thread_id)).comments?.map((c) => c.body), { timeout: 30_000 })
        .toEqual(['Why does **init** set the defaults here?', 'Because `app` is ready only after it.']);
      await widget.locator('.review-comment', { hasText: 'Because app is ready' }).waitFor();
      await wb.screenshot('thread');
    }, 120_000);

    it('searches the mirror and opens the match at its line', async () => {
      await wb.command('HiveSync: Search Project');
      await wb.answer('function sendfile(');
      await wb.answer('', { waitForRow: 'lib/response.js:924' });
      await page.locator('.tab.active', { hasText: 'response.js' }).waitFor();
      await wb.statusBar(/Ln 924, Col/);
    }, 60_000);

    it('documents a function, shows the suggestion in a diff editor, approves it, refuses to apply it over an edit, then applies it', async () => {
      await wb.openFile('lib/response.js', 924);
      await wb.command('HiveSync: Document This Function');
      await wb.toast(/HiveSync suggestion: .*\(1 file\)/, 180_000);
      // The diff editor shows the added doc comment.
      await page.locator('.monaco-diff-editor').first().waitFor();
      await expect
        .poll(() => page.locator('.monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert').count())
        .toBeGreaterThan(0);
      await wb.screenshot('suggestion');
      await wb.clickToast(/HiveSync suggestion: /, 'Approve');
      await wb.toast(/suggestion approved: .* Apply it/);
      // The file moves on before Apply (an unsaved edit on a line the patch needs): refused, nothing changed.
      const original = fs.readFileSync(path.join(workspace, 'lib/response.js'), 'utf8');
      await wb.openFile('lib/response.js', 923);
      await page.keyboard.press('End');
      await page.keyboard.type(' (edited)');
      // (The toast's Apply button and the palette's command do the same; the toast hides once the editor has focus.)
      await wb.command('HiveSync: Apply Suggestion');
      await wb.toast(/the suggestion no longer applies to lib\/response\.js: .* Your files were not changed/);
      expect(fs.readFileSync(path.join(workspace, 'lib/response.js'), 'utf8')).toBe(original);
      expect((await ada.ai.suggestions(projectId, { state: 'approved' })).suggestions).toHaveLength(1);
      // The edit reverted, it applies.
      await page.locator('.tab.active', { hasText: 'response.js' }).click();
      await wb.command('File: Revert File');
      await expect.poll(() => page.locator('.tab.active.dirty').count()).toBe(0);
      await wb.command('HiveSync: Apply Suggestion');
      await wb.toast(/applied to 1 file \(lib\/response\.js\)/);
      const text = fs.readFileSync(path.join(workspace, 'lib/response.js'), 'utf8');
      const at = text.indexOf('function sendfile(res, file, options, callback) {');
      expect(text.slice(0, at)).toMatch(/\/\*\*\n(?: \*.*\n)* \*\/\n$/);
      expect(text.slice(at - 400, at)).toContain('@param');
      const { suggestions } = await ada.ai.suggestions(projectId, { state: 'applied' });
      expect(suggestions.map((s) => s.files)).toEqual([['lib/response.js']]);
    }, 240_000);

    it('notifies Ada when Grace replies to the thread, with a button that opens it, and counts it unread', async () => {
      const [thread] = (await grace.threads.list(projectId, { path: 'lib/application.js' })).threads;
      await grace.threads.reply(thread!.thread_id, 'Makes sense, thanks!');
      // It comes through the server's event stream at once, with no poll and nothing clicked. (Nothing may press
      // Escape before the toast is looked at: in VS Code, Escape hides the toasts on screen.)
      await wb.toast(/Grace replied to a thread on lib\/application\.js:59 in express\./, 60_000);
      expect(extensionLog(code)).toMatch(/event stream open \(direct from the server/);
      expect(extensionLog(code)).toMatch(/notification thread_reply \(\S+\) through the event stream/);
      // The bell counts what the server says is unread for this client (the sync and the AI job's outcomes too).
      const asVscode = new HiveSyncClient({
        baseUrl: server.url,
        accessToken: ada.tokens.accessToken,
        client: 'vscode',
      });
      const unread = async () =>
        (await asVscode.notifications.list({ unread_only: true, steps: false })).notifications.length;
      const before = await unread();
      expect(before).toBeGreaterThanOrEqual(1);
      const bell = page.locator('.statusbar [id$="hivesync.notifications"]');
      const bellCount = async () => ((await bell.textContent()) ?? '').trim();
      await expect.poll(bellCount).toBe(String(before));
      await wb.screenshot('notification');
      // Its button opens the thread, with Grace's reply, and marks the notification read.
      await wb.clickToast(/Grace replied/, 'Open Thread');
      await page.locator('.tab.active', { hasText: 'application.js' }).waitFor();
      await page.locator('.review-widget', { hasText: 'Makes sense, thanks!' }).first().waitFor();
      await expect.poll(bellCount).toBe(String(before - 1));
      expect(await unread()).toBe(before - 1);
    }, 120_000);

    it('sends a preview of the app folder and shows its code and QR code in a panel that runs no script', async () => {
      await wb.command('HiveSync: Send Preview');
      const panel = page.frameLocator('iframe.webview').frameLocator('#active-frame');
      const shown = panel.getByTestId('preview-code');
      await shown.waitFor({ timeout: 120_000 });
      const { previews } = await ada.previews.list(projectId);
      expect(previews).toHaveLength(1);
      expect(previews[0]!.status).toBe('ready');
      const code = previews[0]!.code!;
      expect((await shown.textContent())?.replace('-', '')).toBe(code);
      await panel.locator('img.qr').waitFor();
      expect(await panel.locator('script').count()).toBe(0);
      await wb.screenshot('preview');
    }, 180_000);

    it('says offline in the status bar when the server cannot be reached, without a sign-in prompt', async () => {
      await stopServer(server);
      await wb.command('HiveSync: Show Notifications');
      await page.keyboard.press('Escape');
      await wb.statusBar(/HiveSync: offline/, 30_000);
      expect(await page.locator('.notifications-toasts', { hasText: /session has ended/ }).count()).toBe(0);
      await wb.screenshot('offline');
    }, 60_000);
  },
);
