import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../packages/bundler/src/index.js';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { serveMobileWeb, type MobileWebServer } from '../../apps/mobile/scripts/serve-web.mjs';
import { makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { ROOT, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { publishPreview } from '../support/web-previews.js';

// `HIVESYNC_MOBILE_SCREENSHOTS=1 npx vitest run tests/e2e/mobile.e2e.test.ts` refreshes the pictures in docs/mobile.md.
/** The Expo CLI of apps/mobile, run with this Node (no npx: its prompts and lookups have no place in a test). */
const EXPO_CLI = createRequire(path.join(ROOT, 'apps/mobile/package.json')).resolve('expo/bin/cli');
const SCREENSHOTS = process.env.HIVESYNC_MOBILE_SCREENSHOTS === '1';
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 1366 };

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(ROOT, 'docs/images', `mobile-${name}.png`) });
}

/** A small React Native app: what `hivesync preview --platform ios` would bundle. */
const GOOD_APP = `import { useState } from 'react';
import { Pressable, Text, View } from 'react-native';

export default function App() {
  const [taps, setTaps] = useState(0);
  return (
    <View style={{ padding: 24 }}>
      <Text style={{ fontSize: 22 }}>Hello from a HiveSync preview</Text>
      <Pressable role="button" onPress={() => setTaps((n) => n + 1)}>
        <Text>Tapped {taps} times</Text>
      </Pressable>
    </View>
  );
}
`;
/** One that throws while rendering. */
const BROKEN_APP = `import { Text } from 'react-native';

function Crash(): never {
  throw new Error('The preview broke on purpose');
}

export default function App() {
  return <Text><Crash /></Text>;
}
`;

async function rnBundle(dir: string, source: string): Promise<Uint8Array> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'App.tsx'), source);
  return (await buildBundle({ dir, platform: 'ios' })).bytes;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * The mobile app's web export (npx expo export --platform web) in Debian's Chromium against a real server, at a
 * phone's and an iPad's size: sign in; a code for a web preview is refused with its reason and stays usable; an iOS
 * preview bundled by packages/bundler from a small React Native app runs and renders its text; a bundle that throws
 * while rendering shows the error screen with its stack and the app keeps working; a reply notification opens its
 * thread, where the reply is posted; on the tablet the multi-panel layout shows the project's files and code, and the
 * review mode shows a suggestion's diff, takes a line comment and approves it.
 */
describe.skipIf(!browserAvailable())('the mobile app (web export) against a real server', () => {
  const tmp = tempDir('hivesync-mobile-e2e-');
  let server: ServerProcess;
  let web: MobileWebServer;
  let browser: Browser;
  let alice: HiveSyncClient;
  let projectId: string;
  let threadId: string;
  let suggestionId: string;
  const password = 'mobile e2e password';
  const previews = { good: '', broken: '', web: '', webId: '' };

  beforeAll(async () => {
    const dist = path.join(tmp.dir, 'dist');
    const exported = spawnSync(process.execPath, [EXPO_CLI, 'export', '--platform', 'web', '--output-dir', dist], {
      cwd: path.join(ROOT, 'apps/mobile'),
      encoding: 'utf8',
      env: { ...process.env, CI: '1', EXPO_NO_TELEMETRY: '1' },
    });
    expect(exported.status, `${exported.stdout}\n${exported.stderr}`).toBe(0);

    server = spawnServer({ HIVESYNC_DATA_DIR: path.join(tmp.dir, 'data') });
    await server.ready;
    web = await serveMobileWeb({ dir: dist, upstream: server.url });

    const repo = makeRepo(path.join(tmp.dir, 'repo'), {
      'src/greet.js': 'function greet(name) {\n  return `Hello, ${name}!`;\n}\n\nmodule.exports = { greet };\n',
      'README.md': '# greeter\n',
    });
    alice = new HiveSyncClient({ baseUrl: server.url });
    await alice.auth.register({ email: 'alice@example.test', password, display_name: 'Alice' });
    const bob = new HiveSyncClient({ baseUrl: server.url });
    await bob.auth.register({ email: 'bob@example.test', password, display_name: 'Bob' });
    const project = await alice.projects.create({ name: 'greeter', repo_url: repo });
    projectId = project.id;
    const sync = await alice.repo.waitForSync((await alice.repo.sync(projectId)).sync_id);
    expect(sync.status, JSON.stringify(sync.error)).toBe('completed');
    await alice.members.add(projectId, { email: 'bob@example.test', role: 'member' });

    const thread = await alice.threads.create(projectId, {
      path: 'src/greet.js',
      start_line: 2,
      body: 'Should this trim the name?',
    });
    threadId = thread.thread_id;
    await bob.threads.reply(threadId, 'Yes, and say hi in lower case.');

    const job = await alice.ai.create({
      project_id: projectId,
      action: 'document_function',
      path: 'src/greet.js',
      symbol: 'greet',
    });
    const done = await alice.ai.waitForJob(job.job_id);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    suggestionId = done.suggestions[0]!.id;

    previews.good = (
      await publishPreview(alice, projectId, 'ios', await rnBundle(path.join(tmp.dir, 'good'), GOOD_APP))
    ).code;
    previews.broken = (
      await publishPreview(alice, projectId, 'ios', await rnBundle(path.join(tmp.dir, 'broken'), BROKEN_APP))
    ).code;
    const forWeb = await publishPreview(alice, projectId, 'web', new TextEncoder().encode('<!doctype html><p>web</p>'));
    previews.web = forWeb.code;
    previews.webId = forWeb.preview.preview_id;

    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await stopServer(server);
    tmp.remove();
  });

  describe('on a phone (390×844)', () => {
    let page: Page;
    beforeAll(async () => {
      const context = await browser.newContext({
        viewport: PHONE,
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      page = await context.newPage();
    });

    it('signs in to the server the app is served with', async () => {
      await page.goto(web.url);
      await page.getByText('Sign in to HiveSync').waitFor();
      expect(await page.getByLabel('Server URL').inputValue()).toBe(web.url);
      await screenshot(page, 'sign-in');
      await signIn(page, 'alice@example.test', password);
      await page.getByText('Open a preview').waitFor();
    });

    it('refuses a code for another platform with the reason, without using it up', async () => {
      await page.getByLabel('Preview code').fill(previews.web.toLowerCase());
      await page.getByRole('button', { name: 'Open preview' }).click();
      const error = page.getByTestId('preview-open-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('This code is for a web preview and this app opens iOS previews');
      expect((await alice.previews.get(previews.webId)).consumed_at).toBeNull();
    });

    it('downloads an iOS bundle built by packages/bundler and renders it with the app’s React Native', async () => {
      await page.getByLabel('Preview code').fill(`${previews.good.slice(0, 4)}-${previews.good.slice(4)}`);
      await page.getByRole('button', { name: 'Open preview' }).click();
      await page.getByText('Hello from a HiveSync preview').waitFor();
      // Its state works: the preview shares the host's React.
      await page.getByText('Tapped 0 times').click();
      await page.getByText('Tapped 1 times').waitFor();
      await screenshot(page, 'preview');
      await page.getByRole('button', { name: 'Leave' }).click();
      await page
        .getByRole('listitem', { name: /Open Preview .* again/ })
        .first()
        .waitFor();
    });

    it('shows the error screen with the stack for a bundle that throws, and keeps working', async () => {
      await page.getByLabel('Preview code').fill(previews.broken);
      await page.getByRole('button', { name: 'Open preview' }).click();
      await page.getByText('The preview crashed while rendering').waitFor();
      expect(await page.getByTestId('preview-error-message').textContent()).toBe('Error: The preview broke on purpose');
      expect(await page.getByTestId('preview-error-stack').textContent()).toContain('Crash');
      await screenshot(page, 'preview-error');
      await page.getByRole('button', { name: 'Leave' }).click();
      await page.getByText('Open a preview').waitFor();
    });

    it('shows the reply notification, opens its thread from it, and replies there', async () => {
      await page.getByRole('tab', { name: 'Notifications' }).click();
      const item = page.getByRole('listitem', { name: /Unread: Bob replied/ });
      await item.waitFor();
      await screenshot(page, 'notifications');
      await item.click();
      await page.getByText('Yes, and say hi in lower case.').waitFor();
      await page.getByRole('textbox', { name: 'Reply' }).fill('Done: trimmed and lower-cased.');
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByText('Done: trimmed and lower-cased.', { exact: true }).last().waitFor();
      await expect
        .poll(async () => (await alice.threads.get(threadId)).comments?.map((c) => c.body))
        .toContain('Done: trimmed and lower-cased.');
      // Still there once every request in flight has answered (a poll that started before the reply must not win).
      await page.waitForTimeout(1_000);
      await page.getByText('Done: trimmed and lower-cased.', { exact: true }).waitFor({ timeout: 1_000 });
      await screenshot(page, 'thread');
      const read = await alice.notifications.list({ steps: false });
      expect(read.notifications.find((n) => n.type === 'thread_reply')?.read_at).not.toBeNull();
    });
    it("switches a notification type's push off in Settings, on the server", async () => {
      await page.getByRole('tab', { name: 'Settings' }).click();
      const push = page.getByRole('switch', { name: 'thread reply: push' });
      await push.waitFor();
      expect(await push.isChecked()).toBe(true);
      await push.click();
      await expect
        .poll(async () => (await alice.notifications.preferences()).preferences.find((p) => p.type === 'thread_reply'))
        .toMatchObject({ push: false, in_app: true });
      await expect.poll(() => push.isChecked()).toBe(false);
      expect(await page.getByTestId('push-status').textContent()).toContain('the web version polls');
      await screenshot(page, 'settings');
    });

    it('offline, shows the lists it last loaded under a banner and backs polling off to 120 s', async () => {
      await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
      try {
        await page.getByRole('tab', { name: 'Notifications' }).click();
        await page.getByTestId('offline-banner').waitFor();
        await page.getByRole('listitem', { name: /^Bob replied/ }).waitFor(); // read, as tapped before
        expect(await page.getByRole('listitem', { name: /^Unread: Bob replied/ }).count()).toBe(0);
        await screenshot(page, 'offline');
        await page.getByRole('tab', { name: 'Settings' }).click();
        expect(await page.getByTestId('poll-now').textContent()).toContain('Polling now every 120 s');
      } finally {
        await page.unroute('**/api/**');
      }
    });
  });

  describe('on a tablet (1024×1366)', () => {
    let page: Page;
    beforeAll(async () => {
      const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
      page = await context.newPage();
      await page.goto(web.url);
      await signIn(page, 'alice@example.test', password);
      await page.getByText('Open a preview').waitFor();
    });

    it('shows projects, the file tree and the code side by side, with threads and suggestions', async () => {
      await page.getByRole('tab', { name: 'Projects' }).click();
      await page.getByRole('listitem', { name: 'greeter' }).click();
      await page.getByRole('treeitem', { name: 'src' }).click();
      await page.getByRole('treeitem', { name: 'src/greet.js' }).click();
      await page.getByText('return `Hello, ${name}!`;').waitFor();
      await page.getByRole('listitem', { name: 'Thread on src/greet.js:2' }).waitFor();
      // Side by side, left to right, each panel wholly right of the one before, the code the widest.
      const box = async (what: string, l: ReturnType<Page['locator']>) => {
        const b = await l.boundingBox();
        if (!b) throw new Error(`${what} is not on screen`);
        return b;
      };
      const panels = [
        await box('projects', page.getByRole('list', { name: 'Projects' })),
        await box('files', page.getByRole('tree', { name: 'Files' })),
        await box('code', page.getByText('return `Hello, ${name}!`;')),
        await box('threads', page.getByRole('list', { name: 'Threads' })),
      ];
      for (let i = 1; i < panels.length; i++) {
        expect(panels[i]!.x, `panel ${i} starts right of panel ${i - 1}`).toBeGreaterThanOrEqual(
          panels[i - 1]!.x + panels[i - 1]!.width,
        );
      }
      expect(panels[3]!.x + panels[3]!.width).toBeLessThanOrEqual(TABLET.width);
      await screenshot(page, 'tablet');
    });

    it('reviews a suggestion: its diff per file, a comment on a line, approve (never apply)', async () => {
      await page
        .getByRole('listitem', { name: /^Review / })
        .first()
        .click();
      const review = page.getByTestId('review-mode');
      await review.waitFor();
      await review.getByRole('heading', { name: /^src\/greet\.js \(/ }).waitFor();
      const diffWidth = (await review.getByRole('heading', { name: /src\/greet\.js \(/ }).boundingBox())!.width;
      expect(diffWidth, 'the diff takes most of the tablet').toBeGreaterThan(500);
      const added = review.getByRole('button', { name: /^Comment on added line/ }).first();
      await added.click();
      await page.getByLabel(/^Comment on line \d+ of src\/greet\.js/).fill('Mention the greeting format.');
      await page.getByRole('button', { name: 'Post line comment' }).click();
      await page.getByText(/Comment posted on src\/greet\.js:\d+ as a thread/).waitFor();
      await page.getByLabel('Review comment (optional)').fill('Good doc comment.');
      await screenshot(page, 'review');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByText('Approved: not applied yet').waitFor();
      expect(await page.getByRole('button', { name: /apply/i }).count()).toBe(0);
      const moved = await alice.ai.suggestion(suggestionId);
      expect(moved.state).toBe('approved');
      expect(moved.history.at(-1)?.comment).toBe('Good doc comment.');
      const threads = await alice.threads.list(projectId, { state: 'all' });
      expect(threads.threads.some((t) => t.first_comment?.body.endsWith('Mention the greeting format.'))).toBe(true);
    });
  });
});
