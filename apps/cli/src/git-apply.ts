import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from './errors.js';

/** What a git command did. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs git with an argument array (never a shell, so nothing in a path or a patch is interpreted) in `cwd`, with
 * messages in English so that they can be recognised.
 */
export function git(args: string[], cwd: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new CliError(
              'git_not_found',
              'git is not installed (or not on PATH): it is needed to apply patches',
              EXIT.api,
            )
          : err,
      ),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * The root of the git working copy that contains `dir` (`git rev-parse --show-toplevel`): patches name paths from
 * the repository root, and `git apply` run in a subdirectory would skip files outside it. Exit 2 when `dir` is not
 * in a git repository.
 */
export async function workingCopy(dir: string): Promise<string> {
  const resolved = path.resolve(dir);
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new CliError('not_a_git_repository', `${resolved} is not a directory`, EXIT.usage);
  }
  const result = await git(['rev-parse', '--show-toplevel'], resolved);
  const top = result.stdout.trim();
  if (result.code !== 0 || top === '') {
    throw new CliError(
      'not_a_git_repository',
      `${resolved} is not in a git working copy: run the command inside your clone, or pass --dir`,
      EXIT.usage,
    );
  }
  return top;
}

/** How `checkPatch` found a patch: whether it applies, and git's reasons when it does not. */
export interface PatchCheck {
  ok: boolean;
  /** git's error lines, without its notes on falling back from a 3-way merge. */
  problems: string[];
}

/** Options of `checkPatch` and `applyPatch`. */
export interface PatchOptions {
  /** Apply the patch backwards (undo it): `git apply -R`. */
  reverse?: boolean;
}

/** `git apply --check --3way [-R]`: whether the patch applies to the working copy at `root`; nothing is changed. */
export function checkPatch(root: string, patch: string, options: PatchOptions = {}): Promise<PatchCheck> {
  return withPatchFile(patch, async (file) => {
    const result = await git(['apply', '--check', '--3way', ...(options.reverse ? ['-R'] : []), file], root);
    return { ok: result.code === 0, problems: problems(result) };
  });
}

/**
 * Applies a patch to the working copy at `root` with `git apply --3way [-R]`: the working tree and the index both
 * change. Check it with `checkPatch` first; if git still fails (a 3-way merge that left conflict markers), the error
 * is a CliError (exit 1) naming the files to resolve.
 */
export async function applyPatch(root: string, patch: string, options: PatchOptions = {}): Promise<void> {
  const result = await withPatchFile(patch, (file) =>
    git(['apply', '--3way', ...(options.reverse ? ['-R'] : []), file], root),
  );
  if (result.code === 0) return;
  const conflicted = [...`${result.stdout}\n${result.stderr}`.matchAll(/Applied patch to '(.+)' with conflicts/g)].map(
    (m) => m[1]!,
  );
  if (conflicted.length > 0) {
    throw new CliError(
      'patch_conflicts',
      `the patch was merged with conflicts in ${conflicted.join(', ')}: resolve the conflict markers (see \`git status\`), or undo with \`git checkout HEAD -- <file>\``,
      EXIT.api,
    );
  }
  throw new CliError('patch_failed', `git apply failed:\n  ${problems(result).join('\n  ')}`, EXIT.api);
}

const NOISE = [/^error: repository lacks the necessary blob/, /^Falling back to direct application/];

function problems(result: GitResult): string[] {
  return `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !NOISE.some((re) => re.test(l)));
}

/** Writes the patch to a private temporary file for `fn`, and removes it afterwards. */
async function withPatchFile<T>(patch: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-patch-'));
  try {
    const file = path.join(dir, 'suggestion.patch');
    // git apply wants the patch to end with a line break.
    await fs.writeFile(file, patch.endsWith('\n') ? patch : `${patch}\n`, { mode: 0o600 });
    return await fn(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
