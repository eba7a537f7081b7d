import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore, startAgent, type RunningAgent } from '../../packages/agent/src/index.js';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { skipWithoutTestRepos, testRepo } from '../../apps/server/src/test/test-repos.js';
import {
  closeAppWindow,
  desktopUiAvailable,
  openAppWindow,
  screenshotWindow,
  startXvfb,
  stopProcess,
  type AppWindow,
  type Display,
} from '../support/desktop.js';
import { ROOT, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

/** The built renderer (`npm run build -w @hivesync/desktop`), which the agent serves as its uiDir. */
const RENDERER = path.join(ROOT, 'apps/desktop/dist/renderer');
const FIXTURE = path.join(ROOT, 'tests/fixtures/preview-app');

/**
 * The desktop app's renderer, built, served by a real agent (started as the Electron main process starts it, with
 * `uiDir`) in front of a real server, in Debian's Chromium as an `--app` window (not headless) on an Xvfb display:
 * sign in through the agent; map folders (a non-git folder refused in words, then a `git clone --no-hardlinks` of
 * express, whose origin is the project's repository, and the preview fixture app); Send preview (progress, the code
 * and QR code, live status once a device opens it; a syntax error shown with its file and line); document a function
 * with the server's AI, approve, apply through the agent and read the file on disk; a second user's reply shows up
 * as an unread notification that opens its thread. The Electron main process itself is not run (no binary here).
 */
describe.skipIf(!desktopUiAvailable() || skipWithoutTestRepos('express'))(
  'the desktop app (renderer in an app window)',
  () => {
    const data = tempDir('hivesync-desktop-data-');
    const work = tempDir('hivesync-desktop-work-');
    const email = 'desk@example.test';
    const password = 'desktop e2e password';
    let server: ServerProcess;
    let agent: RunningAgent;
    let display: Display;
    let win: AppWindow;
    let page: Page;
    let owner: HiveSyncClient;
    let expressId: string;
    let mobileId: string;
    let clone: string;
    let app: string;
    const shot = (name: string) => screenshotWindow(display, page, name);

    beforeAll(async () => {
      if (!fs.existsSync(path.join(RENDERER, 'index.html'))) {
        throw new Error(`${RENDERER} is missing: build the renderer first (npm run build -w @hivesync/desktop)`);
      }
      server = spawnServer({ HIVESYNC_DATA_DIR: data.dir });
      await server.ready;
      // The owner's projects, as the web app or the CLI would make them: express (its repository is the shared bare
      // clone, read only) and a mobile app without a repository.
      owner = new HiveSyncClient({ baseUrl: server.url });
      await owner.auth.register({ email, password, display_name: 'Dee Desktop' });
      const express = await owner.projects.create({ name: 'express', repo_url: testRepo('express') });
      expressId = express.id;
      const sync = await owner.repo.waitForSync((await owner.repo.sync(expressId)).sync_id);
      expect(sync.status, JSON.stringify(sync.error)).toBe('completed');
      mobileId = (await owner.projects.create({ name: 'mobile' })).id;

      // The folders on "this machine": a clone of express, the fixture app in a git repository, a plain folder.
      clone = path.join(work.dir, 'express');
      execFileSync('git', ['clone', '-q', '--no-hardlinks', testRepo('express'), clone]);
      app = path.join(work.dir, 'mobile-app');
      fs.cpSync(FIXTURE, app, { recursive: true });
      git(app, 'init', '-q');
      fs.mkdirSync(path.join(work.dir, 'notes'));

      agent = await startAgent({
        serverUrl: server.url,
        dir: path.join(work.dir, 'agent'),
        // What the app uses on a machine without a keychain (the keychain itself is Electron's, not run here).
        secretStore: new FileSecretStore(path.join(work.dir, 'agent', 'session.json')),
        uiDir: RENDERER,
      });
      display = await startXvfb();
      win = await openAppWindow(agent.launchUrl(), display);
      page = win.page;
      // A beforeAll that outlived its timeout ends after afterAll ran: stop what it started only then.
      if (finished) await stopAll();
    }, 300_000);

    let finished = false;
    const stopAll = async () => {
      await closeAppWindow(win);
      await stopProcess(display?.proc);
      await agent?.stop();
      await stopServer(server);
    };
    afterAll(async () => {
      finished = true;
      await stopAll();
      data.remove();
      work.remove();
    });

    it('opens on the sign-in screen through the one-time launch URL, and signs the agent in', async () => {
      await page.getByRole('heading', { name: 'Sign in to HiveSync' }).waitFor({ timeout: 60_000 });
      // The launch token was spent for the cookie: it is no longer in the address.
      expect(page.url()).not.toContain('launch=');
      await page.getByLabel('Password').fill('not the password');
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Not signed in' }).waitFor();
      await shot('sign-in');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Projects' }).waitFor({ timeout: 30_000 });
      expect(agent.session.signedIn).toBe(true);
    }, 120_000);

    it('maps folders: a folder that is not a git repository is refused in words; the express clone and the app are mapped', async () => {
      await page.getByRole('link', { name: 'Folders' }).click();
      const form = page.getByRole('form', { name: 'Map a folder' });
      await form.getByLabel('Folder').fill(path.join(work.dir, 'notes'));
      await form.getByLabel('Project').selectOption({ label: 'express' });
      await form.getByRole('button', { name: 'Map folder' }).click();
      const refused = page.getByTestId('mapping-error');
      await refused.waitFor();
      expect(await refused.textContent()).toContain('This folder is not a git repository');

      // The app's folder has no remote; mapped to express it is refused as another repository's.
      await form.getByLabel('Folder').fill(app);
      await form.getByRole('button', { name: 'Map folder' }).click();
      await refused.filter({ hasText: 'no git remote' }).waitFor();

      await form.getByLabel('Folder').fill(clone);
      await form.getByRole('button', { name: 'Map folder' }).click();
      await page.getByTestId('mapping-done').filter({ hasText: 'express' }).waitFor();
      await form.getByLabel('Folder').fill(app);
      await form.getByLabel('Project').selectOption({ label: 'mobile' });
      await form.getByRole('button', { name: 'Map folder' }).click();
      await page.getByTestId('mapping-done').filter({ hasText: 'mobile' }).waitFor();
      const list = page.getByRole('list', { name: 'Mapped folders' });
      await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
      await shot('folders');
      // Shared with every plugin through the agent.
      const mapped = await fetch(`${agent.url}/mappings?folder=${encodeURIComponent(path.join(clone, 'lib'))}`, {
        headers: { authorization: `Bearer ${agent.discovery.token}` },
      });
      expect(((await mapped.json()) as { project_id: string }).project_id).toBe(expressId);
    }, 120_000);

    it('documents a function with the AI, shows the patch in the shared diff view, approves it and applies it to the folder', async () => {
      const line =
        git(clone, 'show', 'HEAD:lib/response.js')
          .split('\n')
          .indexOf('function sendfile(res, file, options, callback) {') + 1;
      expect(line).toBeGreaterThan(0);
      await page.getByRole('link', { name: 'Projects' }).click();
      await page.getByRole('link', { name: 'express' }).click();
      const ai = page.getByRole('form', { name: 'Ask the AI' });
      await ai.getByLabel('Action', { exact: true }).selectOption('document_function');
      await ai.getByLabel('File', { exact: true }).fill('lib/response.js');
      await ai.getByLabel('Line', { exact: true }).fill(String(line));
      await ai.getByRole('button', { name: 'Ask the AI' }).click();
      await page.getByTestId('ai-status').filter({ hasText: 'Completed' }).waitFor({ timeout: 180_000 });
      await page.getByRole('table', { name: /Changes to lib\/response\.js/ }).waitFor();
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByTestId('suggestion-state').filter({ hasText: 'Approved' }).waitFor();
      const before = fs.readFileSync(path.join(clone, 'lib/response.js'), 'utf8');
      expect(before).not.toMatch(/\*\/\s*\nfunction sendfile\(/);
      await page.getByRole('button', { name: 'Apply to folder' }).click();
      await page.getByTestId('apply-result').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('apply-result').textContent()).toContain('lib/response.js');
      const after = fs.readFileSync(path.join(clone, 'lib/response.js'), 'utf8');
      expect(after).toMatch(/\/\*\*[\s\S]*?\*\/\s*\nfunction sendfile\(/);
      expect(after.length).toBeGreaterThan(before.length);
      await page.getByTestId('suggestion-state').filter({ hasText: 'Applied' }).waitFor();
      await shot('ai-applied');
    }, 300_000);

    it('shows another member’s reply as an unread notification that opens its thread', async () => {
      const unread = page.getByTestId('unread-count');
      const before = Number(await unread.textContent());
      const bee = new HiveSyncClient({ baseUrl: server.url });
      await bee.auth.register({ email: 'bee@example.test', password: 'bee desktop password', display_name: 'Bee' });
      await owner.members.add(expressId, { email: 'bee@example.test' });
      const thread = await owner.threads.create(expressId, {
        path: 'lib/express.js',
        start_line: 3,
        body: 'Why this require?',
      });
      await bee.threads.reply(thread.thread_id, 'It loads the **router**.');
      // The event stream brings it: the count goes up without a reload.
      await expect.poll(async () => Number(await unread.textContent()), { timeout: 30_000 }).toBeGreaterThan(before);
      await page.getByRole('link', { name: /^Notifications/ }).click();
      const item = page.getByRole('link', { name: /Bee replied in a thread on lib\/express\.js/ });
      await item.waitFor();
      await shot('notifications');
      await item.click();
      await page.getByTestId('thread-place').filter({ hasText: 'lib/express.js' }).waitFor();
      await page.getByText('It loads the').waitFor();
      expect(await page.locator('.markdown strong').first().textContent()).toBe('router');
    }, 120_000);

    it('runs the health script and shows each result with its fix', async () => {
      await page.getByRole('link', { name: 'Health' }).click();
      await page.getByTestId('health-summary').waitFor({ timeout: 60_000 });
      const checks = page.getByRole('list', { name: 'Checks' }).getByRole('listitem');
      expect(await checks.count()).toBeGreaterThan(3);
      expect(await page.getByRole('list', { name: 'Checks' }).textContent()).toContain(clone);
      await shot('health');
    }, 120_000);

    it('sends a preview: the code and QR code in a modal, live status once a device opens it', async () => {
      await page.getByRole('link', { name: 'Projects' }).click();
      await page.getByRole('link', { name: 'mobile' }).click();
      await page.getByTestId('project-folder').filter({ hasText: app }).waitFor();
      await page.getByLabel('Platform').selectOption('web');
      await page.getByRole('button', { name: 'Send preview' }).click();
      const modal = page.getByRole('dialog');
      const code = modal.getByTestId('preview-code');
      await code.waitFor({ timeout: 120_000 });
      const shown = ((await code.textContent()) ?? '').replace('Code: ', '').replace('-', '').trim();
      expect(shown).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
      await modal.getByTestId('preview-qr').waitFor();
      await modal.getByTestId('preview-status').filter({ hasText: 'Waiting for a device' }).waitFor();
      await shot('preview');
      // A phone opens it (the viewer resolves the code), and the modal says so without a click.
      const opened = await fetch(`${server.url}/api/v1/previews/resolve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: shown, platform: 'web' }),
      });
      expect(opened.status).toBe(200);
      // Sent for the project the folder is mapped to.
      expect((await owner.previews.list(mobileId)).previews.map((p) => p.code)).toEqual([shown]);
      await modal.getByTestId('preview-status').filter({ hasText: 'Opened on a device' }).waitFor({ timeout: 30_000 });
      await modal.getByRole('button', { name: 'Close' }).click();
    }, 240_000);

    it('shows a failed build with its file and line', async () => {
      fs.appendFileSync(path.join(app, 'App.tsx'), '\nexport const broken = (;\n');
      const line =
        fs.readFileSync(path.join(app, 'App.tsx'), 'utf8').split('\n').indexOf('export const broken = (;') + 1;
      await page.getByRole('button', { name: 'Send preview' }).click();
      const failure = page.getByRole('dialog').getByTestId('preview-failure');
      await failure.waitFor({ timeout: 120_000 });
      const text = (await failure.textContent()) ?? '';
      expect(text).toContain('App.tsx');
      expect(text).toContain(`line ${line}`);
      await shot('preview-failed');
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    }, 240_000);
  },
);
