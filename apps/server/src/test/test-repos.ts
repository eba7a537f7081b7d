import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real repositories the tests may use (bare clones with full history). */
export type TestRepoName = 'express' | 'core';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * The folder of bare clones: `HIVESYNC_TEST_REPOS`, or `../shared/data/repos` beside the checkout. The only place
 * the project looks outside itself, and only for tests.
 */
export const TEST_REPOS_DIR = path.resolve(
  process.env.HIVESYNC_TEST_REPOS ?? path.join(repoRoot, '..', 'shared', 'data', 'repos'),
);

const HOW_TO_GET =
  `the real repositories are not in ${TEST_REPOS_DIR}: get them with ` +
  '`git clone --bare https://github.com/expressjs/express express.git` and ' +
  '`git clone --bare https://github.com/vuejs/core core.git` there (or point HIVESYNC_TEST_REPOS at such a folder)';

/** The bare clone of `name`, or undefined when it is missing. */
function find(name: TestRepoName): string | undefined {
  const dir = path.join(TEST_REPOS_DIR, `${name}.git`);
  return fs.existsSync(path.join(dir, 'HEAD')) ? dir : undefined;
}

/**
 * Whether the tests that need `names` must be skipped: never in CI (a missing folder is an error there), and in a
 * user's clone only when a repository is missing, saying once how to get them.
 */
export function skipWithoutTestRepos(...names: TestRepoName[]): boolean {
  const missing = names.filter((n) => !find(n));
  if (missing.length === 0) return false;
  if (inCi) throw new Error(`CI needs the test repositories (${missing.join(', ')}): ${HOW_TO_GET}.`);
  console.warn(`skipped: tests on ${missing.join(', ')}: ${HOW_TO_GET}.`);
  return true;
}

/** The bare clone of a real repository; throws with how to get it when it is missing. */
export function testRepo(name: TestRepoName): string {
  const dir = find(name);
  if (!dir) throw new Error(`${name}: ${HOW_TO_GET}.`);
  return dir;
}

/**
 * A fresh bare clone of a real repository in `parent` (the shared folder is read-only in CI and must never be
 * written to); `--shared` borrows its objects, so this takes milliseconds however large the history.
 */
export function cloneTestRepo(name: TestRepoName, parent: string): string {
  const dest = path.join(parent, `${name}.git`);
  execFileSync('git', ['clone', '-q', '--bare', '--shared', testRepo(name), dest], { stdio: 'ignore' });
  return dest;
}

/** One file of a real repository at its default branch's head. */
export function readTestRepoFile(name: TestRepoName, file: string): string {
  return execFileSync('git', ['--git-dir', testRepo(name), 'show', `HEAD:${file}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}
