import { execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { runCli, startCli } from '../support/cli.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { buildVsix, codeServerAvailable, startCodeServer, Workbench, type CodeServer } from '../support/vscode.js';

/**
 * The VS Code extension in Proxy Mode: Ada logged in with the CLI and runs `hivesync agent`; the extension (in
 * code-server, `hivesync.connection: auto`) finds the agent through its discovery file and works through it without
 * signing in or holding a token (the server never sees a session of its own). When the agent is killed mid-flow the
 * extension goes direct, where it holds no session: one sign-in prompt, however many requests fail, and after
 * signing in everything works direct.
 */
describe.skipIf(!codeServerAvailable() || !browserAvailable() || skipWithoutTestRepos('express'))(
  'the VS Code extension through the local agent (Proxy Mode)',
  () => {
    const root = tempDir('hivesync-vscode-proxy-');
    const adaHome = path.join(root.dir, 'ada');
    const config = path.join(adaHome, '.config');
    const agentDir = path.join(adaHome, '.hivesync');
    const email = 'ada-proxy@example.test';
    const password = 'vscode proxy e2e password';
    let server: ServerProcess;
    let agent: ChildProcessWithoutNullStreams | undefined;
    let code: CodeServer;
    let browser: Browser;
    let page: Page;
    let wb: Workbench;
    let ada: HiveSyncClient;

    beforeAll(async () => {
      const vsix = buildVsix();
      fs.mkdirSync(adaHome, { recursive: true });
      const remote = cloneTestRepo('express', root.dir);
      const workspace = path.join(root.dir, 'express');
      execFileSync('git', ['clone', '-q', remote, workspace]);
      server = spawnServer({ HIVESYNC_DATA_DIR: path.join(root.dir, 'data') });
      await server.ready;
      const cli = (args: string[], stdin?: string) =>
        runCli(args, { server: server.url, configHome: config, cwd: adaHome, stdin });
      const registered = await cli(['register', '--email', email, '--password-stdin'], `${password}\n`);
      expect(registered.code, registered.err).toBe(0);
      ada = new HiveSyncClient({ baseUrl: server.url });
      await ada.auth.login({ email, password });
      await ada.projects.create({ name: 'express', repo_url: remote });

      agent = startCli(['agent'], { server: server.url, configHome: config, cwd: adaHome });
      agent.stdin.end();
      let out = '';
      await new Promise<void>((resolve, reject) => {
        agent!.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Ctrl-C stops it')) resolve();
        });
        agent!.stderr.on('data', (d: Buffer) => (out += d.toString()));
        agent!.once('exit', (c) => reject(new Error(`hivesync agent exited with ${c}: ${out}`)));
      });

      code = await startCodeServer({
        dir: path.join(root.dir, 'code-server'),
        vsix,
        workspace,
        settings: {
          'hivesync.serverUrl': server.url,
          'hivesync.connection': 'auto',
          'workbench.startupEditor': 'none',
          'telemetry.telemetryLevel': 'off',
          'git.enabled': false,
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
        await wb.saveFailedStep(path.dirname(root.dir), 'hivesync-vscode-proxy', task.name);
    });

    afterAll(async () => {
      agent?.kill('SIGKILL');
      await browser?.close();
      await code?.stop();
      await stopServer(server);
      root.remove();
    });

    it('is signed in and linked through the agent without asking, and holds no session of its own', async () => {
      await wb.statusBar(/express: not synced yet/, 90_000);
      const sessions = (await ada.auth.sessions()).sessions;
      expect(sessions.map((s) => s.client)).not.toContain('vscode');
      await wb.command('HiveSync: Sync with Remote');
      await wb.statusBar(/express: synced [0-9a-f]{7}/, 240_000);
      expect((await ada.auth.sessions()).sessions.map((s) => s.client)).not.toContain('vscode');
    }, 300_000);

    it('asks once to sign in when the agent is killed mid-flow, then works direct', async () => {
      await new Promise<void>((resolve) => {
        agent!.once('exit', () => resolve());
        agent!.kill('SIGKILL');
      });
      agent = undefined;
      // Two requests that now go direct without a token; the poller fails too: one prompt for all.
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
      expect((await ada.auth.sessions()).sessions.map((s) => s.client)).toContain('vscode');
    }, 300_000);
  },
);
