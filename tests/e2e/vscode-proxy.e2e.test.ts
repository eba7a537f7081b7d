import { execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentApi, HiveSyncClient } from '../../packages/sdk/src/index.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { runCli, startCli } from '../support/cli.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import {
  buildVsix,
  codeServerAvailable,
  extensionLog,
  startCodeServer,
  Workbench,
  type CodeServer,
} from '../support/vscode.js';

/**
 * The VS Code extension in Proxy Mode. Ada logged in with the CLI and runs `hivesync agent`; the extension (in
 * code-server, `hivesync.connection: auto`) finds the agent through its discovery file and goes through it: the
 * issue's flow once more with the sign-in held by the agent (the server never sees a session of the extension's
 * own), the workspace linked from the agent's folder mapping, the suggestion applied by the agent (and a conflict
 * shown as one, the file untouched), and a notification through the agent's shared event stream. Then the agent is
 * killed mid-flow twice: without a session of its own the extension asks once to sign in and works direct; with one
 * (the agent started again and taken back), the next calls go direct without a visible error.
 */
describe.skipIf(!codeServerAvailable() || !browserAvailable() || skipWithoutTestRepos('express'))(
  'the VS Code extension through the local agent (Proxy Mode)',
  () => {
    const root = tempDir('hivesync-vscode-proxy-');
    const adaHome = path.join(root.dir, 'ada');
    const config = path.join(adaHome, '.config');
    const agentDir = path.join(adaHome, '.hivesync');
    const workspace = path.join(root.dir, 'express');
    const email = 'ada-proxy@example.test';
    const password = 'vscode proxy e2e password';
    let server: ServerProcess;
    let agent: ChildProcessWithoutNullStreams | undefined;
    let code: CodeServer;
    let browser: Browser;
    let page: Page;
    let wb: Workbench;
    let ada: HiveSyncClient;
    let grace: HiveSyncClient;
    let projectId: string;
    let threadId: string;

    /** `hivesync agent` as Ada, once it says it listens. */
    async function startAgent(): Promise<void> {
      const child = startCli(['agent'], { server: server.url, configHome: config, cwd: adaHome });
      child.stdin.end();
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Ctrl-C stops it')) resolve();
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', (c) => reject(new Error(`hivesync agent exited with ${c}: ${out}`)));
      });
      agent = child;
    }

    async function killAgent(): Promise<void> {
      const child = agent!;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
      agent = undefined;
    }

    /** The sessions the server holds for Ada, by client name. */
    const sessionClients = async () => (await ada.auth.sessions()).sessions.map((s) => s.client);
    /** Error toasts and sign-in prompts on screen (what "no visible error" means). */
    const visibleErrors = () =>
      page
        .locator('.notifications-toasts .notification-toast', { hasText: /failed|session has ended|Cannot reach/ })
        .count();

    beforeAll(async () => {
      const vsix = buildVsix();
      fs.mkdirSync(adaHome, { recursive: true });
      const remote = cloneTestRepo('express', root.dir);
      execFileSync('git', ['clone', '-q', remote, workspace]);
      server = spawnServer({ HIVESYNC_DATA_DIR: path.join(root.dir, 'data') });
      await server.ready;
      const cli = (args: string[], stdin?: string) =>
        runCli(args, { server: server.url, configHome: config, cwd: adaHome, stdin });
      const registered = await cli(['register', '--email', email, '--password-stdin'], `${password}\n`);
      expect(registered.code, registered.err).toBe(0);
      ada = new HiveSyncClient({ baseUrl: server.url });
      await ada.auth.login({ email, password });
      projectId = (await ada.projects.create({ name: 'express', repo_url: remote })).id;
      // A second project on the same repository: the folder's remote alone cannot tell which one it is.
      await ada.projects.create({ name: 'express-fork', repo_url: remote });
      grace = new HiveSyncClient({ baseUrl: server.url });
      await grace.auth.register({ email: 'grace-proxy@example.test', password, display_name: 'Grace' });
      await ada.members.add(projectId, { email: 'grace-proxy@example.test', role: 'member' });

      await startAgent();
      // The desktop app (or another plugin) mapped this folder to express in the agent.
      const local = (await AgentApi.discover({ dir: agentDir }))!;
      await local.putMapping({ folder: workspace, project_id: projectId });

      code = await startCodeServer({
        dir: path.join(root.dir, 'code-server'),
        vsix,
        workspace,
        settings: {
          'hivesync.serverUrl': server.url,
          'hivesync.connection': 'auto',
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.ignoreRecommendations': true,
          'git.enabled': false,
          'files.autoSave': 'off',
        },
        env: { HIVESYNC_AGENT_DIR: agentDir },
      });
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      wb = new Workbench(page);
      await wb.open(code.url);
      await wb.extensionActive();
    }, 600_000);

    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail' && page)
        await wb.saveFailedStep(path.dirname(root.dir), 'hivesync-vscode-proxy', task.name, code);
    });

    afterAll(async () => {
      agent?.kill('SIGKILL');
      await browser?.close();
      await code?.stop();
      await stopServer(server);
      root.remove();
    });

    it("is signed in through the agent and linked from the agent's folder mapping, without asking or a session of its own", async () => {
      // Two projects have this folder's remote: only the agent's mapping can say it is express.
      await wb.statusBar(/express: not synced yet/, 120_000);
      expect(extensionLog(code)).toMatch(/linked to express \(the local agent maps .*express to it\)/);
      expect(await sessionClients()).not.toContain('vscode');
      await wb.command('HiveSync: Sync with Remote');
      await wb.statusBar(/express: synced [0-9a-f]{7}/, 240_000);
      await wb.screenshot('proxy');
    }, 300_000);

    it("shows Grace's thread in the gutter and posts Ada's reply through the agent", async () => {
      const thread = await grace.threads.create(projectId, {
        path: 'lib/application.js',
        start_line: 59,
        body: 'Is **init** called once per app?',
      });
      threadId = thread.thread_id;
      await wb.command('HiveSync: Refresh Threads');
      await wb.openFile('lib/application.js', 59);
      await page
        .locator('.margin-view-overlays .comment-thread, .margin-view-overlays [class*="comment-range-glyph"]')
        .first()
        .waitFor();
      const widget = await wb.openThreadFromView('Is init called once per app?');
      await wb.replyInThread(widget, 'Yes, from the constructor.');
      await expect
        .poll(async () => (await grace.threads.get(threadId)).comments?.map((c) => c.body), { timeout: 60_000 })
        .toEqual(['Is **init** called once per app?', 'Yes, from the constructor.']);
      expect(await sessionClients()).not.toContain('vscode');
    }, 180_000);

    it('searches through the agent and opens the match', async () => {
      await wb.command('HiveSync: Search Project');
      await wb.answer('function sendfile(');
      await wb.answer('', { waitForRow: 'lib/response.js:924' });
      await page.locator('.tab.active', { hasText: 'response.js' }).waitFor();
    }, 120_000);

    it('documents a function, and the agent applies the approved suggestion: a conflict first (the file untouched), then the patch', async () => {
      const file = path.join(workspace, 'lib/response.js');
      const original = fs.readFileSync(file, 'utf8');
      await wb.openFile('lib/response.js', 924);
      await wb.command('HiveSync: Document This Function');
      await wb.toast(/HiveSync suggestion: .*\(1 file\)/, 240_000);
      await wb.clickToast(/HiveSync suggestion: /, 'Approve');
      await wb.toast(/suggestion approved: .* Apply it/);
      // Another tool changes the file on disk right where the doc comment goes: the agent cannot merge it.
      const marker = 'function sendfile(res, file, options, callback) {';
      const edited = original.replace(marker, `// keep in step with send()\n${marker}`);
      fs.writeFileSync(file, edited);
      await wb.command('HiveSync: Apply Suggestion');
      await wb.toast(/the suggestion no longer applies to lib\/response\.js: .* Your files were not changed/, 120_000);
      expect(fs.readFileSync(file, 'utf8')).toBe(edited);
      expect((await ada.ai.suggestions(projectId, { state: 'approved' })).suggestions).toHaveLength(1);
      await wb.screenshot('conflict');
      // Put back as it was, the agent applies it to the file on disk and marks it applied.
      fs.writeFileSync(file, original);
      await wb.command('HiveSync: Apply Suggestion');
      await wb.toast(/applied through the local agent to 1 file \(lib\/response\.js\)/, 120_000);
      const text = fs.readFileSync(file, 'utf8');
      const at = text.indexOf(marker);
      expect(text.slice(0, at)).toMatch(/\/\*\*\n(?: \*.*\n)* \*\/\n$/);
      expect(extensionLog(code)).toMatch(/applied \S+ through the local agent to lib\/response\.js \(modified\)/);
      const { suggestions } = await ada.ai.suggestions(projectId, { state: 'applied' });
      expect(suggestions.map((s) => s.files)).toEqual([['lib/response.js']]);
    }, 420_000);

    it("notifies Ada of Grace's reply through the agent's shared event stream", async () => {
      await grace.threads.reply(threadId, 'Thanks, that settles it.');
      await wb.toast(/Grace replied to a thread on lib\/application\.js:59 in express\./, 120_000);
      const log = extensionLog(code);
      expect(log).toMatch(/event stream open \(the local agent’s shared stream/);
      expect(log).toMatch(/notification thread_reply \(\S+\) through the event stream/);
      const health = await (await AgentApi.discover({ dir: agentDir }))!.health();
      expect(health.event_subscribers).toBeGreaterThanOrEqual(1);
      expect(health.upstream_stream).toBe(true);
    }, 180_000);

    it('asks once to sign in when the agent is killed mid-flow without a session of its own, then works direct', async () => {
      await killAgent();
      // Two requests that now go direct without a token, and the event stream: one prompt for all.
      await wb.command('HiveSync: Refresh Threads');
      await wb.command('HiveSync: Sync with Remote');
      await wb.toast(/your session has ended/);
      await page.waitForTimeout(2000);
      expect(
        await page.locator('.notifications-toasts .notification-toast', { hasText: /your session has ended/ }).count(),
      ).toBe(1);
      await wb.clickToast(/your session has ended/, 'Sign In');
      await wb.answer(email, { prompt: 'Email' });
      await wb.answer(password, { prompt: 'Password for' });
      await wb.toast(/signed in as/);
      await wb.command('HiveSync: Sync with Remote');
      await wb.statusBar(/express: synced [0-9a-f]{7}/, 240_000);
      expect(await sessionClients()).toContain('vscode');
    }, 300_000);

    it('takes the agent back when it starts again, and goes direct without a visible error when it is killed mid-flow', async () => {
      await startAgent();
      // While direct, a request looks for the agent again in the background (at most every 5 s); the ones after it
      // go through the agent.
      await expect
        .poll(
          async () => {
            await wb.command('HiveSync: Refresh Threads');
            return extensionLog(code);
          },
          { timeout: 90_000, interval: 3000 },
        )
        .toMatch(/connection: agent \(the agent answered again\)/);
      await wb.command('Notifications: Clear All Notifications');
      await killAgent();
      // The next calls: a search (GET), a sync (POST, then its progress) and the event stream, all direct.
      await wb.command('HiveSync: Search Project');
      await wb.answer('function sendfile(');
      await wb.answer('', { waitForRow: 'lib/response.js:' });
      await page.locator('.tab.active', { hasText: 'response.js' }).waitFor();
      await wb.command('HiveSync: Sync with Remote');
      await wb.statusBar(/express: synced [0-9a-f]{7}/, 240_000);
      await grace.threads.reply(threadId, 'One more thing.');
      await wb.toast(/Grace replied to a thread on lib\/application\.js:59 in express\./, 120_000);
      expect(extensionLog(code)).toMatch(/connection: direct \(the agent stopped answering/);
      expect(await visibleErrors()).toBe(0);
    }, 300_000);
  },
);
