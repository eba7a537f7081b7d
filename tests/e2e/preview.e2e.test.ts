import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { browserAvailable, launchChromium } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { ROOT, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

const FIXTURE = path.join(ROOT, 'tests/fixtures/preview-app');
/** Where the test keeps its screenshot (git-ignored). */
const ARTIFACTS = path.join(ROOT, 'tests/e2e/artifacts');

describe.runIf(browserAvailable())(
  'device preview end to end: CLI build → upload → code → /p viewer in Chromium',
  () => {
    const data = tempDir('hivesync-preview-e2e-');
    const home = tempDir('hivesync-preview-home-');
    let server: ServerProcess;
    const cli = (args: string[], stdin?: string) =>
      runCli(args, { server: server.url, configHome: path.join(home.dir, 'config'), cwd: home.dir, stdin });

    beforeAll(async () => {
      server = spawnServer({ HIVESYNC_DATA_DIR: data.dir }, { npmStart: true });
      await server.ready;
    });
    afterAll(async () => {
      await stopServer(server);
      data.remove();
      home.remove();
    });

    it('builds the fixture app, and the viewer renders it from the typed code', async () => {
      expect(
        (await cli(['register', '--email', 'pat@example.test', '--password-stdin'], 'preview password\n')).code,
      ).toBe(0);
      expect((await cli(['projects', 'create', 'mobile'])).code).toBe(0);
      const run = await cli(['preview', FIXTURE, '--project', 'mobile', '--platform', 'web', '--json']);
      expect(run.code, run.err).toBe(0);
      const preview = JSON.parse(run.out);
      expect(preview.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
      expect(preview.preview.status).toBe('ready');

      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${server.url}/p`);
        // A person types the code, with a dash and in lower case.
        await page.fill('#code', `${preview.code.slice(0, 4).toLowerCase()}-${preview.code.slice(4)}`);
        await page.click('button[type=submit]');
        await page.waitForSelector('#status:has-text("Running")', { timeout: 15_000 });
        const app = page.frameLocator('#app');
        await expect.poll(() => app.locator('h1').textContent(), { timeout: 10_000 }).toBe('Hello from HiveSync');
        await app.locator('[data-testid=counter]').click();
        await app.locator('[data-testid=counter]').click();
        await expect.poll(() => app.locator('[data-testid=counter]').textContent()).toContain('2');
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, 'preview-viewer.png'), fullPage: true });
        expect(errors).toEqual([]);

        // The code was used: opening it again says so.
        const again = await browser.newPage();
        await again.goto(`${server.url}/p/${preview.code}`);
        await again.waitForSelector('#status.error', { timeout: 10_000 });
        expect(await again.textContent('#status')).toMatch(/already been used/);

        // An iOS code opened in the browser: the viewer says where to open it, and the code stays usable there.
        const ios = await cli(['preview', FIXTURE, '--project', 'mobile', '--platform', 'ios', '--json']);
        expect(ios.code, ios.err).toBe(0);
        const iosCode = JSON.parse(ios.out).code as string;
        const wrong = await browser.newPage();
        await wrong.goto(`${server.url}/p/${iosCode}`);
        await wrong.waitForSelector('#status.error', { timeout: 10_000 });
        expect(await wrong.textContent('#status')).toMatch(/HiveSync app on your iOS device.*still works/);
        const onIos = await fetch(`${server.url}/api/v1/previews/resolve`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: iosCode, platform: 'ios' }),
        });
        expect(onIos.status).toBe(200);
      } finally {
        await browser.close();
      }
    });
  },
);
