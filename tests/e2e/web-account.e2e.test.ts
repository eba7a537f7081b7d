import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';
import { expectAccessible, logIn, openWatchedPage, overflowsSideways, screenshot, webSession } from '../support/web.js';

const TOKEN = 'ghp_e2eSecretTokenThatMustNeverBeShown123';

/**
 * The account page and a project's settings in Debian's Chromium: two browsers (contexts) of one user see both
 * sessions; revoking the other one sends it to the login page at its next step; logging out everywhere ends both.
 * Settings: rename, invite a second user as viewer, make them a member, remove them; set and remove the HTTPS
 * credential (shown as set, never shown back); delete the project after typing its name. axe in both themes; a
 * phone's width without sideways scrolling.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: account and settings', () => {
  const web = webSession('weba');
  let server: ServerProcess;
  let page: Page;
  let other: { context: BrowserContext; page: Page };
  let cspViolations: string[];
  let projectId: string;
  const email = 'account-owner@example.test';
  const password = 'account owner e2e password';
  const second = { email: 'second-member@example.test', password: 'second member e2e password' };

  beforeAll(async () => {
    ({ server, page, cspViolations } = web);
    const client = new HiveSyncClient({ baseUrl: server.url, client: 'cli' });
    await client.auth.register({ email, password, display_name: 'Account Owner' });
    projectId = (await client.projects.create({ name: 'web', repo_url: 'https://git.example.test/team/web.git' })).id;
    await new HiveSyncClient({ baseUrl: server.url }).auth.register({ ...second, display_name: 'Second Member' });
    // The registration's own session ends, so that the account shows the two browsers' sessions only.
    await client.auth.logout();

    await logIn(page, server.url, email, password);
    other = await openWatchedPage(web.browser);
    await logIn(other.page, server.url, email, password);
  }, 300_000);

  it('lists both browsers’ sessions on the account page, this one marked', async () => {
    await page.getByRole('link', { name: /Account: Account Owner/ }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    const profile = page.locator('dl.facts');
    expect(await profile.textContent()).toContain(email);
    expect(await profile.textContent()).toContain('Administrator of this server');
    const sessions = page.getByRole('list', { name: 'Active sessions' });
    await expect.poll(() => sessions.getByRole('listitem').count()).toBe(2);
    expect(await sessions.getByText('This browser').count()).toBe(1);
    expect(await sessions.textContent()).toContain('Web app: Chrome on Linux');
    await expectAccessible(page, 'account', { dark: true });
    await screenshot(page, 'account');
  });

  it('fits a phone’s width without sideways scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    try {
      expect(await overflowsSideways(page), 'account at 375 px').toBe('');
      await page.goto(`${server.url}/projects/${projectId}/settings`);
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await page.getByRole('list', { name: 'Members' }).waitFor();
      expect(await overflowsSideways(page), 'settings at 375 px').toBe('');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await page.goto(`${server.url}/account`);
    await page.getByRole('list', { name: 'Active sessions' }).waitFor();
  });

  it('revokes the other browser’s session: its next step leads to the login page', async () => {
    const sessions = page.getByRole('list', { name: 'Active sessions' });
    await sessions.getByRole('button', { name: /^Revoke / }).click();
    await page
      .getByRole('status')
      .getByText(/Session revoked/)
      .waitFor();
    await expect.poll(() => sessions.getByRole('listitem').count()).toBe(1);

    // The other browser still shows its page; its next call is refused and it lands on the login page.
    await other.page.getByRole('link', { name: 'web', exact: true }).click();
    await other.page.waitForURL(/\/login/);
    await other.page.getByText(/Your session has expired/).waitFor();
    // This browser carries on.
    await page.reload();
    await page.getByRole('list', { name: 'Active sessions' }).getByText('This browser').waitFor();
  });

  it('renames the project and says a new URL or branch counts at the next sync', async () => {
    await page.goto(`${server.url}/projects/${projectId}/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.getByText('A new URL or branch takes effect at the next sync.').count()).toBe(1);
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // Checked before sending.
    await page.getByRole('alert').getByText('Give the project a name.').waitFor();
    await name.fill('web app');
    await page.getByRole('radio', { name: 'Mirror this branch:' }).check();
    await page.getByLabel('Branch name').fill('develop');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByRole('link', { name: '← web app' }).waitFor();
    const client = await ownerClient(server.url, email, password);
    expect(await client.projects.get(projectId)).toMatchObject({
      name: 'web app',
      branch: 'develop',
      follows_default_branch: false,
    });
  });

  it('invites a registered user as viewer, makes them a member, and removes them', async () => {
    const members = page.getByRole('list', { name: 'Members' });
    // The server's refusal in words: nobody has this email.
    await page.getByLabel('Email').fill('nobody@example.test');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('alert').getByText('No account has this email: ask them to register first').waitFor();

    await page.getByLabel('Email').fill(second.email);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('status').getByText(`${second.email} is now a viewer of this project.`).waitFor();
    const row = members.getByRole('listitem').filter({ hasText: second.email });
    await row.waitFor();
    const role = row.getByLabel('Role of Second Member');
    expect(await role.inputValue()).toBe('viewer');
    await expectAccessible(page, 'settings', { dark: true });
    await page.getByRole('heading', { name: 'HTTPS credential' }).evaluate((h) => h.scrollIntoView());
    await screenshot(page, 'settings');

    // The viewer sees the settings read-only, and is told why.
    await logIn(other.page, server.url, second.email, second.password);
    await other.page.goto(`${server.url}/projects/${projectId}/settings`);
    await other.page.getByText(/Your role in this project is viewer/).waitFor();
    expect(await other.page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
    expect(await other.page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    expect(await other.page.getByRole('button', { name: 'Save credential' }).count()).toBe(0);
    expect(await other.page.getByText('Only the project’s owner can delete it.').count()).toBe(1);
    await expectAccessible(other.page, 'settings (viewer)');
    await other.page.getByRole('button', { name: 'Log out' }).click();
    await other.page.waitForURL(/\/login/);

    await role.selectOption('member');
    await row.getByRole('button', { name: 'Make member' }).click();
    await row.getByRole('button', { name: 'Make member' }).waitFor({ state: 'detached' });
    const client = await ownerClient(server.url, email, password);
    const roleOf = async () =>
      (await client.members.list(projectId)).members.find((m) => m.email === second.email)?.role;
    expect(await roleOf()).toBe('member');

    await row.getByRole('button', { name: 'Remove Second Member' }).click();
    await row.getByRole('button', { name: 'Yes, remove' }).click();
    await expect.poll(() => members.getByRole('listitem').filter({ hasText: second.email }).count()).toBe(0);
    expect(await roleOf()).toBeUndefined();
    // The owner's row has no controls: a project keeps its owner.
    const ownerRow = members.getByRole('listitem').filter({ hasText: email });
    expect(await ownerRow.getByRole('combobox').count()).toBe(0);
  });

  it('sets the HTTPS credential, shows it only as set, and removes it', async () => {
    const status = page.getByTestId('credential-status');
    expect(await status.textContent()).toBe('not set');
    await page.getByRole('button', { name: 'Save credential' }).click();
    await page.getByRole('alert').getByText('Paste the access token.').waitFor();
    await page.getByLabel('Access token').fill(TOKEN);
    await page.getByLabel('Username (optional)').fill('ci-bot');
    await page.getByRole('button', { name: 'Save credential' }).click();
    await page.getByRole('status').getByText('Credential saved.').waitFor();
    await expect.poll(() => status.textContent()).toBe('set (an HTTPS token)');
    expect(await page.getByLabel('Access token').inputValue()).toBe('');
    await page.reload();
    await page.getByRole('heading', { name: 'HTTPS credential' }).waitFor();
    await expect.poll(() => status.textContent()).toBe('set (an HTTPS token)');
    expect(await page.content()).not.toContain(TOKEN);

    await page.getByRole('button', { name: 'Remove credential' }).click();
    await page.getByRole('status').getByText('Credential removed.').waitFor();
    await expect.poll(() => status.textContent()).toBe('not set');
  });

  it('deletes the project only after its name is typed, then says it is gone', async () => {
    await page.getByRole('button', { name: 'Delete this project…' }).click();
    const confirm = page.getByLabel(/Type the project’s name/);
    const remove = page.getByRole('button', { name: 'Delete this project', exact: true });
    await confirm.fill('web');
    expect(await remove.isDisabled()).toBe(true);
    await confirm.fill('web app');
    await remove.click();
    await page.waitForURL(`${server.url}/projects`);
    await page.getByRole('status').getByText('The project “web app” was deleted.').waitFor();
    expect(await page.getByRole('link', { name: 'web app', exact: true }).count()).toBe(0);

    await page.goto(`${server.url}/projects/${projectId}/settings`);
    await page.getByRole('heading', { name: 'This project does not exist' }).waitFor();
  });

  it('logs out everywhere after a confirmation: both browsers are out', async () => {
    await logIn(other.page, server.url, email, password);
    await page.goto(`${server.url}/account`);
    await page.getByRole('list', { name: 'Active sessions' }).waitFor();
    await page.getByRole('button', { name: 'Log out everywhere…' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Log out everywhere…' }).click();
    await page.getByRole('button', { name: 'Yes, log out everywhere' }).click();
    await page.waitForURL(/\/login/);
    await page.getByText('You have logged out.').waitFor();

    await other.page.reload();
    await other.page.waitForURL(/\/login/);
    // And the tokens are refused by the server, not only forgotten here.
    await page.goto(`${server.url}/account`);
    await page.waitForURL(/\/login/);
    expect(cspViolations).toEqual([]);
    await other.context.close();
  });
});

/** An SDK client logged in as the owner, to check what the server stored. */
async function ownerClient(url: string, email: string, password: string): Promise<HiveSyncClient> {
  const client = new HiveSyncClient({ baseUrl: url, client: 'cli' });
  await client.auth.login({ email, password });
  return client;
}
