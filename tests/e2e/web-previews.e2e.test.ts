import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HiveSyncClient } from '../../packages/sdk/src/index.js';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';
import { expectAccessible, logIn, overflowsSideways, screenshot, syncedProjectThroughSdk } from '../support/web.js';
import {
  previewWebSession,
  publishPreview,
  qrTextOf,
  readQrModules,
  reportFailedBuild,
} from '../support/web-previews.js';

const BUNDLE = new TextEncoder().encode('<!doctype html><title>hi</title><h1>Hello from a web preview</h1>');
/** apps/web/src/views/PreviewPage.tsx: QR level and quiet zone. */
const QR_LEVEL = 'M';
const QR_MARGIN = 4;
const dashed = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * Previews and the code browser's commit picker in Debian's Chromium, against the built server with express synced:
 * the empty list explains the CLI; previews published through the SDK (ready, waiting, failed by a build worker) are
 * listed newest first with their state in words; a preview's page shows its code large and a QR code that reads back
 * (from a PNG screenshot) as its /p/<code> link; failed and expired previews say so. The picker moves a folder and a
 * file to an older commit and back. Each view passes axe in both themes and fits a 375 px phone.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))(
  'the web app: previews and the commit picker',
  () => {
    const web = previewWebSession('webp');
    let server: ServerProcess;
    let page: Page;
    let remote: string;
    let client: HiveSyncClient;
    let projectId: string;
    let cspViolations: string[];
    const ready: { id: string; code: string } = { id: '', code: '' };
    const failed: { id: string } = { id: '' };
    const email = 'web-previews@example.test';
    const password = 'web previews e2e password';

    beforeAll(async () => {
      ({ server, page, remote, cspViolations } = web);
      ({ client, projectId } = await syncedProjectThroughSdk(server.url, remote, {
        name: 'Preview Tester',
        email,
        password,
      }));
      await logIn(page, server.url, email, password);
    }, 300_000);

    it('explains on the empty list how to publish a preview with the CLI', async () => {
      await page.getByRole('link', { name: 'express', exact: true }).click();
      await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Previews' }).click();
      await page.getByRole('heading', { name: 'Previews', level: 1 }).waitFor();
      await page.getByText('No previews yet').waitFor();
      expect(await page.locator('pre.command').textContent()).toBe(
        'hivesync preview . --project express --platform web',
      );
      await expectAccessible(page, 'empty previews', { dark: true });
    });

    it('lists previews newest first with status, platform, age and expiry', async () => {
      const published = await publishPreview(client, projectId, 'web', BUNDLE);
      expect(published.preview.status).toBe('ready');
      Object.assign(ready, { id: published.preview.preview_id, code: published.code });
      const waiting = await client.previews.create({ project_id: projectId, platform: 'ios' });
      const broken = await client.previews.create({ project_id: projectId, platform: 'android' });
      failed.id = broken.preview_id;
      const res = await reportFailedBuild(server.url, broken.preview_id, {
        code: 'build_failed',
        message: 'App.tsx:3:7: Expected ";" but found "<"',
      });
      expect(res.status, await res.clone().text()).toBe(200);

      await page.reload();
      const list = page.getByRole('list', { name: 'Previews, newest first' });
      await list.waitFor();
      const rows = list.getByRole('listitem');
      await expect.poll(() => rows.count()).toBe(3);
      const texts = await rows.allTextContents();
      expect(texts[0]).toContain(`Android preview ${dashed(broken.code)}`);
      expect(texts[0]).toContain('Failed');
      expect(texts[1]).toContain(`iOS preview ${dashed(waiting.code)}`);
      expect(texts[1]).toContain('Waiting for upload');
      expect(texts[1]).toMatch(/expires in 1[45] min/);
      expect(texts[2]).toContain(`Web preview ${dashed(ready.code)}`);
      expect(texts[2]).toContain('Ready');
      expect(texts[2]).toMatch(/created \d+ s ago/);
      expect(texts[2]).toContain(`${BUNDLE.length} bytes`);
      await screenshot(page, 'previews');
      await expectAccessible(page, 'previews', { dark: true });
      await page.setViewportSize({ width: 375, height: 740 });
      try {
        expect(await overflowsSideways(page), 'previews at 375 px').toBe('');
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it("shows a preview's code large, a QR code of its /p/ link, its bundle and its expiry counting down", async () => {
      await page.getByRole('link', { name: `Web preview ${dashed(ready.code)}` }).click();
      await page.getByRole('heading', { name: 'Web preview', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}/previews/${ready.id}`);
      const code = page.getByTestId('preview-code');
      expect(await code.textContent()).toBe(`Code: ${dashed(ready.code)}`);
      const fontPx = Number.parseFloat(
        await code.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).fontSize),
      );
      expect(fontPx).toBeGreaterThanOrEqual(32);

      const link = `${server.url}/p/${ready.code}`;
      const qr = page.getByTestId('preview-qr');
      expect(await qr.getAttribute('aria-label')).toBe(`QR code of ${link}`);
      const modules = await readQrModules(page, '[data-testid=preview-qr]', QR_MARGIN);
      expect(qrTextOf(modules, [link], QR_LEVEL), 'the QR code, read from a PNG screenshot').toBe(link);
      expect(qrTextOf(modules, [`${server.url}/p/${'2'.repeat(8)}`], QR_LEVEL)).toBeUndefined();
      expect(await page.getByRole('link', { name: link }).getAttribute('href')).toBe(link);

      expect(await page.getByTestId('preview-status').textContent()).toContain('Ready');
      const expiry = page.getByTestId('preview-expiry');
      expect(await expiry.textContent()).toMatch(/\(in 1[45] min \d\d s\)/);
      const before = await expiry.textContent();
      await expect.poll(() => expiry.textContent(), { timeout: 5_000 }).not.toBe(before);
      const sha = (await client.previews.get(ready.id)).sha256!;
      await page.getByText(sha, { exact: true }).waitFor();
      await page.getByText('The bundle was uploaded and checked').waitFor();

      await page.getByRole('button', { name: 'Copy code' }).click();
      await page.getByText(`Code ${dashed(ready.code)} copied.`).waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(ready.code);

      await screenshot(page, 'preview');
      await expectAccessible(page, 'preview', { dark: true });
      await page.setViewportSize({ width: 375, height: 740 });
      try {
        expect(await overflowsSideways(page), 'preview at 375 px').toBe('');
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it("shows a failed build's reason in words", async () => {
      await page.goto(`${server.url}/projects/${projectId}/previews/${failed.id}`);
      await page.getByRole('heading', { name: 'Android preview', level: 1 }).waitFor();
      expect(await page.getByTestId('preview-status').textContent()).toBe(
        'Failed. The build failed: App.tsx:3:7: Expected ";" but found "<"',
      );
      const why = page.getByRole('alert').filter({ hasText: 'Why the build failed' });
      expect(await why.textContent()).toContain('Error code build_failed');
      expect(await page.getByTestId('preview-qr').count()).toBe(0);
      await page.getByText('No build log is kept').waitFor();
      await expectAccessible(page, 'failed preview', { dark: true });
    });

    it('moves a folder and a file to an older commit and back with the commit picker', async () => {
      const head = git(remote, 'rev-parse', 'master');
      const older = git(remote, 'rev-parse', 'master~4');
      await page.goto(`${server.url}/projects/${projectId}/tree/lib`);
      const status = page.getByTestId('ref-status');
      await expect.poll(() => status.textContent()).toBe(`At commit ${head.slice(0, 12)}, the synced head of master.`);

      await page.getByText('Change commit').click();
      await page.getByLabel('Commit', { exact: true }).selectOption(older);
      await screenshot(page, 'ref-picker');
      await expectAccessible(page, 'commit picker', { dark: true });
      await page.getByRole('button', { name: 'View', exact: true }).click();
      await expect.poll(() => new URL(page.url()).search).toBe(`?at=${older}`);
      expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}/tree/lib`);
      await expect
        .poll(() => status.textContent())
        .toBe(`At commit ${older.slice(0, 12)}, not the synced head of master. View at the synced head`);
      const expected = git(remote, 'ls-tree', '--name-only', older, 'lib/')
        .split('\n')
        .map((p) => p.slice('lib/'.length))
        .sort();
      const listing = page.getByRole('list', { name: 'Contents of lib' });
      const names = async () => (await listing.getByRole('link').allTextContents()).map((t) => t.slice(3)).sort();
      await expect.poll(names).toEqual(expected);

      // A file opened from there is at that commit; a pasted abbreviation moves it to another.
      await listing.getByRole('link', { name: 'application.js' }).click();
      await expect
        .poll(() => new URL(page.url()).pathname)
        .toBe(`/projects/${projectId}/blob/${older}/lib/application.js`);
      const oldest = git(remote, 'rev-parse', 'master~10');
      await page.getByText('Change commit').click();
      await page.getByLabel('Or a commit hash').fill('not-a-sha');
      await page.getByRole('button', { name: 'Go' }).click();
      await page.getByText('A commit hash is 4 to 40 hexadecimal digits').waitFor();
      await page.getByLabel('Or a commit hash').fill(oldest.slice(0, 7));
      await page.getByRole('button', { name: 'Go' }).click();
      await expect
        .poll(() => new URL(page.url()).pathname)
        .toBe(`/projects/${projectId}/blob/${oldest}/lib/application.js`);
      await expect.poll(() => status.textContent()).toContain(`At commit ${oldest.slice(0, 12)}, not the synced head`);

      await page.getByRole('link', { name: 'View at the synced head' }).click();
      await expect
        .poll(() => new URL(page.url()).pathname)
        .toBe(`/projects/${projectId}/blob/${head}/lib/application.js`);
      await expect.poll(() => status.textContent()).toBe(`At commit ${head.slice(0, 12)}, the synced head of master.`);
      // The breadcrumb's folder at the head is the plain address, as before the picker existed.
      expect(
        await page
          .getByRole('navigation', { name: 'Breadcrumb' })
          .getByRole('link', { name: 'lib' })
          .getAttribute('href'),
      ).toBe(`/projects/${projectId}/tree/lib`);
      await page.setViewportSize({ width: 375, height: 740 });
      try {
        expect(await overflowsSideways(page), 'file view with the picker at 375 px').toBe('');
      } finally {
        await page.setViewportSize({ width: 1280, height: 800 });
      }
    });

    it('says in words that a preview expired, and draws no QR code for it', async () => {
      await page.goto(`${server.url}/projects/${projectId}/previews/${ready.id}`);
      await page.getByTestId('preview-qr').waitFor();
      // Twenty minutes later (the server's cleanup may not have run yet: the page reads the expiry itself).
      await page.clock.setFixedTime(Date.now() + 20 * 60_000);
      await expect
        .poll(() => page.getByTestId('preview-status').textContent())
        .toMatch(/^Expired\. The preview expired \d+ min ago: its code no longer opens it\.$/);
      expect(await page.getByTestId('preview-expiry').textContent()).toContain('(expired)');
      expect(await page.getByTestId('preview-qr').count()).toBe(0);
      await page.getByText('No QR code: the code no longer opens the preview.').waitFor();
      await expectAccessible(page, 'expired preview', { dark: true });
      expect(cspViolations).toEqual([]);
    });
  },
);
