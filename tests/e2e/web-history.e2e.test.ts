import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { browserAvailable } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';
import { expectAccessible, logIn, screenshot, syncedProjectThroughSdk, webSession } from '../support/web.js';

const PAGE_SIZE = 30; // apps/web/src/queries/history.ts

/** The lines `to` adds to `file` compared with `from`, with their numbers in the new file, as git itself says. */
function addedLines(repo: string, from: string, to: string, file: string): { line: number; text: string }[] {
  const patch = execFileSync('git', ['diff', '--no-color', '--no-ext-diff', from, to, '--', file], {
    cwd: repo,
    encoding: 'utf8',
  });
  const added: { line: number; text: string }[] = [];
  let next = 0;
  let inHunk = false;
  for (const raw of patch.split('\n')) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      next = Number(hunk[1]);
      inHunk = true;
    } else if (!inHunk || raw.startsWith('\\')) continue;
    else if (raw.startsWith('+')) added.push({ line: next++, text: raw.slice(1) });
    else if (raw.startsWith(' ')) next++;
  }
  return added;
}

/** Every line of `file`'s diff from `from` to `to` (context, deleted and added), in git's order, without its marker. */
function diffLines(repo: string, from: string, to: string, file: string): string[] {
  const patch = execFileSync('git', ['diff', '--no-color', '--no-ext-diff', from, to, '--', file], {
    cwd: repo,
    encoding: 'utf8',
  });
  const lines: string[] = [];
  let inHunk = false;
  for (const raw of patch.split('\n')) {
    if (raw.startsWith('@@')) inHunk = true;
    else if (inHunk && /^[ +-]/.test(raw)) lines.push(raw.slice(1));
  }
  return lines;
}

/**
 * Expects the search page to show `total` results: a page of 100 first, then "More results" (the server's cursor)
 * until the last page.
 */
async function expectAllResults(page: Page, total: number): Promise<void> {
  const results = page.locator('a[data-result]');
  await expect.poll(() => results.count()).toBe(Math.min(total, 100));
  const more = page.getByRole('button', { name: 'More results' });
  while (await more.isVisible()) {
    const before = await results.count();
    await more.click();
    await expect.poll(() => results.count()).toBeGreaterThan(before);
  }
  await expect.poll(() => results.count()).toBe(total);
}

/**
 * History and search in Debian's Chromium, on the express clone: the commit log paged once, a commit's diff checked
 * line by line against git's, unified and split; a search from the header box, moved through with the arrow keys,
 * opening the file at the matched line. Every view passes axe in both themes.
 */
describe.skipIf(!browserAvailable() || skipWithoutTestRepos('express'))('the web app: history and search', () => {
  // The built server and web app (npm test builds first; web.e2e.test.ts covers `npm start` itself).
  const web = webSession('webh');
  let server: ServerProcess;
  let page: Page;
  let remote: string;
  let projectId: string;
  let commitUrl: string;
  let cspViolations: string[];
  const email = 'web-history@example.test';
  const password = 'web history e2e password';

  beforeAll(async () => {
    ({ server, page, remote, cspViolations } = web);
    // The account and the synced project come through the SDK: this test is about the history and search views.
    ({ projectId } = await syncedProjectThroughSdk(server.url, remote, { name: 'History Tester', email, password }));
    await logIn(page, server.url, email, password);
  }, 300_000);

  it('shows the commit log with author, date and subject, and pages to older commits', async () => {
    await page.getByRole('link', { name: 'express', exact: true }).click();
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'History', exact: true }).click();
    await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
    const list = page.getByRole('list', { name: 'Commits, newest first' });
    await list.waitFor();
    const expected = git(remote, 'log', `-${PAGE_SIZE}`, '--format=%s', 'master').split('\n');
    expect(await list.locator('.commit-subject').allTextContents()).toEqual(expected);
    const first = list.getByRole('listitem').first();
    expect(await first.textContent()).toContain(git(remote, 'log', '-1', '--format=%an', 'master'));
    expect(await first.locator('time').getAttribute('datetime')).toBe(
      new Date(git(remote, 'log', '-1', '--format=%aI', 'master')).toISOString(),
    );
    expect(await first.locator('code').textContent()).toBe(git(remote, 'rev-parse', 'master').slice(0, 12));
    await screenshot(page, 'commits');
    await expectAccessible(page, 'commits', { dark: true });

    await page.getByRole('link', { name: 'Older commits' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
    const older = git(remote, 'log', `--skip=${PAGE_SIZE}`, `-${PAGE_SIZE}`, '--format=%s', 'master').split('\n');
    await expect.poll(() => list.locator('.commit-subject').allTextContents()).toEqual(older);
    await page.getByRole('link', { name: 'Newest commits' }).waitFor();
  });

  it("opens a commit and shows each file's changes with old and new line numbers, unified and split", async () => {
    const sha = git(remote, 'rev-parse', `master~${PAGE_SIZE}`);
    const subject = git(remote, 'log', '-1', '--format=%s', sha);
    await page.getByRole('link', { name: subject, exact: true }).first().click();
    await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}/commit/${sha}`);
    commitUrl = page.url();
    await page.getByText(sha, { exact: true }).waitFor();

    // The file with the fewest added lines (never collapsed), checked against git's own diff line by line.
    const numstat = git(remote, 'diff', '--numstat', `${sha}^`, sha)
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([add]) => add !== '-' && Number(add) > 0)
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const file = numstat[0]![2]!;
    const expected = addedLines(remote, `${sha}^`, sha, file);
    expect(expected.length).toBeGreaterThan(0);
    await page.getByRole('navigation', { name: 'Changed files' }).getByRole('link', { name: file }).waitFor();
    const section = page.locator('section.diff-file', {
      has: page.getByRole('heading', { name: file, exact: true }),
    });
    const addRows = section.locator('tr.add');
    await addRows.first().waitFor();
    // Syntax highlighting: the JavaScript grammar loads with the diff, and classHighlighter's classes mark the tokens
    // (on deleted lines too); the rows' text stays exactly git's, markup and all.
    expect(file).toMatch(/\.js$/);
    const keywords = section.locator('td.code .tok-keyword');
    await keywords.first().waitFor();
    expect(await keywords.allTextContents()).toContain('function');
    expect(await section.locator('tr.delete td.code .tok-keyword').count()).toBeGreaterThan(0);
    expect(await section.locator('td.code .tok-string').count()).toBeGreaterThan(0);
    expect(await section.locator('td.code').allTextContents()).toEqual(diffLines(remote, `${sha}^`, sha, file));
    const shown = await addRows.evaluateAll((rows) =>
      rows.map((r) => ({
        old: r.querySelectorAll('td.num')[0]!.textContent,
        line: Number(r.querySelectorAll('td.num')[1]!.textContent),
        text: r.querySelector('td.code')!.textContent,
      })),
    );
    expect(shown).toEqual(expected.map((e) => ({ old: '', ...e })));
    expect(await section.locator('tr.hunk').count()).toBeGreaterThan(0);
    await screenshot(page, 'commit');
    await expectAccessible(page, 'commit', { dark: true });

    // Split: the same added lines on the right-hand side.
    await page.getByRole('button', { name: 'Split' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('split');
    await expect.poll(() => page.getByRole('button', { name: 'Split' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => section.locator('td.code.add').allTextContents()).toEqual(expected.map((e) => e.text));
    // Highlighted on both sides: the old side (left) and the new side (right) are each parsed and marked.
    await section.locator('td.code.add .tok-keyword').first().waitFor();
    expect(await section.locator('td.code.delete .tok-keyword').count()).toBeGreaterThan(0);
    expect(await section.locator('td.code.context .tok-keyword').count()).toBeGreaterThan(0);
    expect(await section.locator('td.code.add').allTextContents()).toEqual(expected.map((e) => e.text));
    await expectAccessible(page, 'commit (split)', { dark: true });
  });

  it('compares any two commits, from a commit page or by naming them', async () => {
    const sha = git(remote, 'rev-parse', `master~${PAGE_SIZE}`);
    await page.goto(commitUrl);
    await page.getByRole('link', { name: 'Compare with another commit' }).click();
    await page.getByRole('heading', { name: 'Compare', level: 1 }).waitFor();
    const changed = page.getByRole('navigation', { name: 'Changed files' }).getByRole('link');
    const names = (from: string, to: string) => git(remote, 'diff', '--name-only', from, to).split('\n').sort();
    await expect.poll(async () => (await changed.allTextContents()).sort()).toEqual(names(`${sha}^`, sha));

    // The API takes hashes and branch names (no revision syntax such as master~3).
    const older = git(remote, 'rev-parse', 'master~3');
    await page.getByLabel('From', { exact: true }).fill(older.slice(0, 10));
    await page.getByLabel('To', { exact: true }).fill('master');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect.poll(async () => (await changed.allTextContents()).sort()).toEqual(names(older, 'master'));
    await page.getByText(`to ${git(remote, 'rev-parse', 'master').slice(0, 12)}`).waitFor();
    await expectAccessible(page, 'compare', { dark: true });

    // A name the server cannot resolve is told in words.
    await page.getByLabel('From', { exact: true }).fill('no-such-branch');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByRole('alert').waitFor();
  });

  it('follows the "History" link of a file to the commits that changed it', async () => {
    const file = 'lib/response.js';
    const head = git(remote, 'rev-parse', 'master');
    await page.goto(`${server.url}/projects/${projectId}/blob/${head}/${file}`);
    await page.getByRole('link', { name: `History of ${file}` }).click();
    await page.getByRole('heading', { name: `History of ${file}`, level: 1 }).waitFor();
    const expected = git(remote, 'log', `-${PAGE_SIZE}`, '--format=%s', 'master', '--', file).split('\n');
    await expect
      .poll(() =>
        page.getByRole('list', { name: 'Commits, newest first' }).locator('.commit-subject').allTextContents(),
      )
      .toEqual(expected);
  });

  it('searches from the header box, moves through results with the arrow keys, and Enter opens the line', async () => {
    await page.goto(commitUrl);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('/');
    const headerBox = page.getByRole('searchbox', { name: 'Search code' });
    await expect.poll(() => headerBox.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type('etag');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Search', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('q')).toBe('etag');

    // Every match git finds (ignoring case, the default), grouped by file, each word highlighted.
    const grep = git(remote, 'grep', '-n', '-i', '-I', 'etag', 'master')
      .split('\n')
      .map((l) => /^master:([^:]+):(\d+):/.exec(l)!)
      .map((m) => ({ path: m[1]!, line: Number(m[2]) }));
    const results = page.locator('a[data-result]');
    await expectAllResults(page, grep.length);
    const files = [...new Set(grep.map((g) => g.path))].sort();
    expect((await page.locator('.search-file h2 a').allTextContents()).sort()).toEqual(files);
    const marks = await page.locator('.search-results mark').allTextContents();
    expect(marks.length).toBeGreaterThanOrEqual(grep.length);
    for (const mark of marks) expect(mark.toLowerCase()).toBe('etag');
    await screenshot(page, 'search');
    await expectAccessible(page, 'search', { dark: true });

    // Keyboard: "/" focuses the page's box, ↓ goes to the first result, ↓ ↓ ↑ to the second, Enter opens it.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    const box = page.getByRole('searchbox', { name: 'Search code' });
    await expect.poll(() => box.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowUp']) await page.keyboard.press(key);
    const second = await results.nth(1).getAttribute('href');
    expect(await page.evaluate('document.activeElement?.getAttribute("href")')).toBe(second);
    await page.keyboard.press('Enter');

    const head = git(remote, 'rev-parse', 'master');
    const prefix = `/projects/${projectId}/blob/${head}/`;
    await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).hash).toBe(second);
    const [, file, line] = /^([^#]+)#L(\d+)$/.exec(decodeURIComponent(second!.slice(prefix.length)))!;
    expect(grep).toContainEqual({ path: file, line: Number(line) });
    await page.locator('.cm-permalink-line').first().waitFor();
    const lines = git(remote, 'show', `master:${file}`).split('\n');
    expect(await page.locator('.cm-permalink-line').allTextContents()).toEqual([lines[Number(line) - 1]]);
  });

  it('searches with a regular expression, case and path filters, showing markup as text', async () => {
    await page.goto(`${server.url}/projects/${projectId}/search?q=${encodeURIComponent('<[a-z]+>')}&regex=1&path=test`);
    const grep = git(remote, 'grep', '-n', '-I', '-i', '-E', '<[a-z]+>', 'master', '--', 'test')
      .split('\n')
      .filter(Boolean);
    await expectAllResults(page, grep.length);
    expect(await page.locator('.search-file h2 a').allTextContents()).toSatisfy((paths: string[]) =>
      paths.every((p) => p.startsWith('test/')),
    );
    // Matched HTML in the source is shown as text: no element of it made it into the page.
    expect(await page.locator('.search-results mark').first().textContent()).toMatch(/^<[a-z]+>$/i);
    expect(await page.locator('.search-results p, .search-results b, .search-results html').count()).toBe(0);
    await page.getByLabel('Match case').check();
    await page.getByLabel('Search code').fill('ETag');
    await page.getByLabel('Regular expression').uncheck();
    await page.getByLabel('Only under path').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('case')).toBe('1');
    const exact = git(remote, 'grep', '-n', '-I', '-F', 'ETag', 'master').split('\n');
    await expectAllResults(page, exact.length);
    for (const mark of await page.locator('.search-results mark').allTextContents()) expect(mark).toBe('ETag');
  });

  it('broke no Content Security Policy rule on the way', () => {
    expect(cspViolations).toEqual([]);
  });
});
