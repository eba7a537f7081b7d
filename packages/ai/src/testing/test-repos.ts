import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
// Tests read their own environment (the rule is for the server, whose settings go through config.ts).
// eslint-disable-next-line no-restricted-properties
const { HIVESYNC_TEST_REPOS, CI } = process.env;

/**
 * The folder of bare clones of real repositories: `HIVESYNC_TEST_REPOS`, or `../shared/data/repos` beside the
 * checkout. (The same rule as apps/server/src/test/test-repos.ts, which this package cannot import.)
 */
export const TEST_REPOS = path.resolve(HIVESYNC_TEST_REPOS ?? path.join(repoRoot, '..', 'shared', 'data', 'repos'));

/** The bare clone `<name>.git`, or undefined when it is missing. */
export function testRepo(name: 'express' | 'core'): string | undefined {
  const dir = path.join(TEST_REPOS, `${name}.git`);
  return existsSync(path.join(dir, 'HEAD')) ? dir : undefined;
}

/**
 * Whether tests on `name` are skipped: when its bare clone is missing outside CI (saying so in one line); in CI a
 * missing clone fails the run instead.
 */
export function skipWithout(name: 'express' | 'core'): boolean {
  if (testRepo(name)) return false;
  const missing = `the bare clone ${name}.git is not in ${TEST_REPOS} (set HIVESYNC_TEST_REPOS)`;
  if (CI) throw new Error(`CI needs the real repositories: ${missing}.`);
  console.warn(`skipped: tests on ${name}: ${missing}.`);
  return true;
}

/** One file of a real repository at HEAD, read from the bare clone (nothing is written there). */
export function repoFile(name: 'express' | 'core', file: string): string {
  return execFileSync('git', ['--git-dir', testRepo(name)!, 'show', `HEAD:${file}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Every file of a real repository at HEAD whose path matches `pattern`, read with one `git cat-file --batch`. */
export function repoFiles(name: 'express' | 'core', pattern: RegExp): Map<string, string> {
  const gitDir = testRepo(name)!;
  const paths = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '--name-only', 'HEAD'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\n')
    .filter((file) => pattern.test(file));
  const out = execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], {
    input: paths.map((file) => `HEAD:${file}\n`).join(''),
    maxBuffer: 512 * 1024 * 1024,
  });
  const files = new Map<string, string>();
  let at = 0;
  for (const file of paths) {
    const headerEnd = out.indexOf(10, at);
    const size = Number(out.subarray(at, headerEnd).toString('utf8').split(' ')[2]);
    files.set(file, out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    at = headerEnd + 1 + size + 1;
  }
  return files;
}
