import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const { HIVESYNC_TEST_REPOS, CI } = process.env;

/**
 * The folder of bare clones of real repositories: `HIVESYNC_TEST_REPOS`, or `../shared/data/repos` beside the
 * checkout. The same rule as apps/server/src/test/test-repos.ts, which this package cannot import (its sources
 * live outside this package's rootDir).
 */
export const TEST_REPOS = path.resolve(HIVESYNC_TEST_REPOS ?? path.join(repoRoot, '..', 'shared', 'data', 'repos'));

/** The real repositories the tests use. */
export type TestRepoName = 'express' | 'core';

function find(name: TestRepoName): string | undefined {
  const dir = path.join(TEST_REPOS, `${name}.git`);
  return existsSync(path.join(dir, 'HEAD')) ? dir : undefined;
}

/**
 * Whether tests on these repositories are skipped: when one is missing outside CI (saying so in one line); in CI a
 * missing clone fails the run instead.
 */
export function skipWithoutTestRepos(...names: TestRepoName[]): boolean {
  const missing = names.filter((n) => !find(n));
  if (missing.length === 0) return false;
  const why = `${missing.join(', ')} not in ${TEST_REPOS} (set HIVESYNC_TEST_REPOS to a folder of bare clones)`;
  if (CI) throw new Error(`CI needs the real repositories: ${why}.`);
  console.warn(`skipped: search index tests on real repositories: ${why}.`);
  return true;
}

/** A bare clone of a real repository in `parent` (`--shared`: the source folder is never written to). */
export function cloneTestRepo(name: TestRepoName, parent: string): string {
  const dest = path.join(parent, `${name}.git`);
  execFileSync('git', ['clone', '-q', '--bare', '--shared', find(name)!, dest], { stdio: 'ignore' });
  return dest;
}
