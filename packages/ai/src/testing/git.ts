import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FileSet } from '../types.js';

/** The package's test-fixtures directory. */
export const FIXTURES = fileURLToPath(new URL('../../test-fixtures/', import.meta.url));

const made: string[] = [];

/** Reads a fixture directory into a file set (relative paths with `/`). */
export function loadFixture(dir: string): Map<string, string> {
  const root = path.join(FIXTURES, dir);
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'core.safecrlf=false', ...args], {
    cwd,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A temporary git repository holding the files, committed, so patches can be checked the way clients apply them. */
export function tempRepo(files: FileSet): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hivesync-ai-'));
  made.push(dir);
  for (const [filePath, text] of files) {
    const full = path.join(dir, filePath);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  git(dir, ['init', '-q']);
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'original']);
  return dir;
}

/** `git apply --check`, then `git apply`, of a patch in a repository; throws with git's message when it refuses. */
export function gitApply(dir: string, patch: string): void {
  git(dir, ['apply', '--check', '--whitespace=nowarn', '-'], patch);
  git(dir, ['apply', '--whitespace=nowarn', '-'], patch);
}

/** A file of the repository as it is now. */
export function readRepoFile(dir: string, filePath: string): string {
  return readFileSync(path.join(dir, filePath), 'utf8');
}

/** Removes the repositories made by tempRepo(). */
export function cleanRepos(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The `+` and `-` lines of a unified diff, without file headers. */
export function changedLines(patch: string): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ') || line.startsWith('--- ')) continue;
    if (line.startsWith('+')) added.push(line.slice(1));
    else if (line.startsWith('-')) removed.push(line.slice(1));
  }
  return { added, removed };
}

/** Runs the repository's TypeScript compiler on a project; returns its output, empty when there are no errors. */
export function typecheck(dir: string, tsconfig = 'tsconfig.json'): string {
  const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(dir, tsconfig), '--noEmit'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return '';
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return `${failure.stdout ?? ''}${failure.stderr ?? ''}` || String(error);
  }
}
