/**
 * Applying and reverting AI suggestions' patches in a working copy with git: the one implementation shared by the
 * agent (POST /suggestions/{id}/apply) and the CLI (`hivesync apply`, `hivesync revert`). Never a shell: git gets an
 * argument array, the patch a private temporary file.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Why a patch step failed; the CLI maps `code` to its exit status, the agent to an HTTP answer. */
export type PatchErrorCode = 'git_not_found' | 'not_a_git_repository' | 'patch_does_not_apply' | 'patch_failed';

/** A failed patch step with a message for people; nothing in the working copy was changed. */
export class PatchError extends Error {
  constructor(
    readonly code: PatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** What a git command did. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs git with an argument array (never a shell, so nothing in a path or a patch is interpreted) in `cwd`, with
 * messages in English so that they can be recognised, and `env` on top of this process's environment.
 */
export function git(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      // The user's own environment (PATH, HOME, an ssh agent) for their git, not configuration.
      // eslint-disable-next-line no-restricted-properties
      env: { ...process.env, LC_ALL: 'C', LANGUAGE: 'C', GIT_TERMINAL_PROMPT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new PatchError('git_not_found', 'git is not installed (or not on PATH): it is needed to apply patches')
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
export async function workingCopy(dir: string, hint = 'use the folder of a clone (git clone <url>)'): Promise<string> {
  const resolved = path.resolve(dir);
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new PatchError('not_a_git_repository', `${resolved} is not a directory`);
  }
  const result = await git(['rev-parse', '--show-toplevel'], resolved);
  const top = result.stdout.trim();
  if (result.code !== 0 || top === '') {
    throw new PatchError('not_a_git_repository', `${resolved} is not in a git working copy: ${hint}`);
  }
  return top;
}

/** Options of `checkPatch`, `appliesExactly` and `applyPatch`. */
export interface PatchOptions {
  /** Apply the patch backwards (undo it): `git apply -R`. */
  reverse?: boolean;
}

/** How `checkPatch` found a patch: whether it applies, and git's reasons when it does not. */
export interface PatchCheck {
  ok: boolean;
  /** Files where the three-way merge met a change of the working copy on the same lines. */
  conflicts: string[];
  /** git's error lines, without its notes on falling back from a 3-way merge. */
  problems: string[];
}

/** `git apply --check [-R]`: whether the patch applies as it is, every line where it says, with no merging. */
export async function appliesExactly(root: string, patch: string, options: PatchOptions = {}): Promise<boolean> {
  return withPatchFile(patch, async (file) => {
    const result = await git(['apply', '--check', ...(options.reverse ? ['-R'] : []), file], root);
    return result.code === 0;
  });
}

/**
 * Whether the patch applies to the working copy at `root`, directly or merged three-way with the copy's own changes
 * (`git apply --3way`, from the original blobs its `index` lines name, when this repository has them). It is tried on
 * a scratch index holding the working tree's version of the patch's files: neither the working tree nor the index
 * changes.
 */
export function checkPatch(root: string, patch: string, options: PatchOptions = {}): Promise<PatchCheck> {
  return withPatchFile(patch, async (file, dir) => (await trial(root, file, dir, options)).check);
}

/** What applyPatch changed: per file, its content before and after (blob ids, null when absent). */
export interface AppliedChange {
  path: string;
  /** The blob of the file's content before (kept in the object store, so a revert can restore it); null: absent. */
  before: string | null;
  /** The blob of the content written; null: the patch deleted the file. */
  after: string | null;
  /** Whether the index was updated too (the file had no unstaged changes of its own). */
  staged: boolean;
}

/**
 * Applies a patch to the working copy at `root` the way `checkPatch` tries it, then writes the merged files into
 * the working tree. Files that had no unstaged changes are staged as well (as `git apply --3way` does); a file with
 * unstaged changes of its own keeps them unstaged, the suggestion's lines with them. Nothing is written unless the
 * whole patch applies (every file is merged first, on a scratch index), and each file is written atomically (a
 * temporary file in the repository's git directory, renamed over it): otherwise a PatchError, and every file is as
 * it was.
 */
export async function applyPatch(root: string, patch: string, options: PatchOptions = {}): Promise<AppliedChange[]> {
  return withPatchFile(patch, async (file, dir) => {
    const { check, files, env, ours } = await trial(root, file, dir, options);
    if (!check.ok) {
      const what = check.conflicts.length > 0 ? `clashes with your changes in ${check.conflicts.join(', ')}` : 'fails';
      throw new PatchError(
        'patch_does_not_apply',
        `the patch ${what}; nothing was changed:\n  ${check.problems.join('\n  ')}`,
      );
    }
    const merged = await indexEntries(root, files, env);
    const before = ours.split('\n').map((id) => (id === '-' ? null : id));
    const unstaged = await git(['diff', '--name-only', '-z', '--', ...files], root);
    const dirty = new Set(unstaged.stdout.split('\0').filter((f) => f !== ''));
    const changes: AppliedChange[] = files.map((p, i) => ({
      path: p,
      before: before[i] ?? null,
      after: merged.get(p) ?? null,
      staged: !dirty.has(p),
    }));
    await writeAtomically(root, changes, env, ours);
    const clean = changes.filter((c) => c.staged);
    if (clean.length > 0) await git(['update-index', '--add', '--remove', '--', ...clean.map((c) => c.path)], root);
    return changes;
  });
}

/**
 * Puts files back as `changes` recorded them before (the revert of an apply the agent recorded), provided each is
 * still exactly what the apply wrote: otherwise a PatchError naming the files that changed since, and nothing is
 * written. Restored atomically like applyPatch; staged again where the apply had staged.
 */
export async function restoreFiles(root: string, changes: AppliedChange[]): Promise<void> {
  const now = (
    await contentIds(
      root,
      changes.map((c) => c.path),
    )
  ).split('\n');
  const moved = changes.filter((c, i) => (now[i] === '-' ? null : now[i]) !== c.after).map((c) => c.path);
  if (moved.length > 0) {
    throw new PatchError(
      'patch_does_not_apply',
      `the files changed since the suggestion was applied: ${moved.join(', ')}`,
    );
  }
  for (const c of changes) {
    if (c.before !== null && (await git(['cat-file', '-e', `${c.before}^{blob}`], root)).code !== 0) {
      throw new PatchError('patch_failed', `the original content of ${c.path} is no longer in the repository`);
    }
  }
  const reversed = changes.map((c) => ({ ...c, before: c.after, after: c.before }));
  await writeBlobs(root, reversed);
  const staged = changes.filter((c) => c.staged).map((c) => c.path);
  if (staged.length > 0) await git(['update-index', '--add', '--remove', '--', ...staged], root);
}

/** The blob id each of `files` has in the index of `env` (absent files are left out). */
async function indexEntries(root: string, files: string[], env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const listed = await git(['ls-files', '-s', '-z', '--', ...files], root, env);
  const ids = new Map<string, string>();
  for (const record of listed.stdout.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab !== -1) ids.set(record.slice(tab + 1), record.split(' ')[1]!);
  }
  return ids;
}

// The merged files, through git (so the repository's filters, line endings and modes apply as on any checkout),
// into a scratch folder in the git directory (the same file system), then renamed over the working tree's.
async function writeAtomically(
  root: string,
  changes: AppliedChange[],
  env: NodeJS.ProcessEnv,
  ours: string,
): Promise<void> {
  const staging = await stagingDir(root);
  try {
    const written = changes.filter((c) => c.after !== null).map((c) => c.path);
    if (written.length > 0) {
      const out = await git(['checkout-index', '-f', `--prefix=${staging}${path.sep}`, '--', ...written], root, env);
      if (out.code !== 0) {
        throw new PatchError('patch_failed', `git could not write the files:\n  ${problems(out).join('\n  ')}`);
      }
    }
    // The working tree must still be what the merge started from (an editor may have saved a file meanwhile).
    if (
      (await contentIds(
        root,
        changes.map((c) => c.path),
      )) !== ours
    ) {
      throw new PatchError(
        'patch_failed',
        'the files changed while the patch was merged; nothing was changed: run it again',
      );
    }
    await moveIntoPlace(root, staging, changes);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

// Blobs of the object store written in place (a revert): through a scratch index and checkout-index as above.
async function writeBlobs(root: string, changes: AppliedChange[]): Promise<void> {
  const staging = await stagingDir(root);
  try {
    const env = { GIT_INDEX_FILE: path.join(staging, '.index') };
    const present = changes.filter((c) => c.after !== null);
    if (present.length > 0) {
      const modes = await indexModes(
        root,
        present.map((c) => c.path),
      );
      const args = ['update-index', '--add'];
      for (const c of present) args.push('--cacheinfo', `${modes.get(c.path) ?? '100644'},${c.after},${c.path}`);
      const seeded = await git(args, root, env);
      const out =
        seeded.code === 0
          ? await git(
              [
                'checkout-index',
                '-f',
                `--prefix=${staging}${path.sep}files${path.sep}`,
                '--',
                ...present.map((c) => c.path),
              ],
              root,
              env,
            )
          : seeded;
      if (out.code !== 0) {
        throw new PatchError('patch_failed', `git could not write the files:\n  ${problems(out).join('\n  ')}`);
      }
    }
    await moveIntoPlace(root, path.join(staging, 'files'), changes);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function stagingDir(root: string): Promise<string> {
  const gitDir = path.resolve(root, (await git(['rev-parse', '--git-dir'], root)).stdout.trim());
  const dir = path.join(gitDir, `hivesync-apply-${crypto.randomBytes(6).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  return dir;
}

// Each file renamed into place (atomic on one file system), or removed when the patch deletes it.
async function moveIntoPlace(root: string, staging: string, changes: AppliedChange[]): Promise<void> {
  for (const c of changes) {
    const target = path.join(root, c.path);
    if (c.after === null) {
      await fs.rm(target, { force: true });
      continue;
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(path.join(staging, c.path), target);
  }
}

/**
 * Adds `index` lines to a patch that has none (suggestions made before the server wrote them), naming each file's
 * blob at `commit`, so that `git apply --3way` can merge it. Undefined when this repository does not have them.
 */
export async function withBaseBlobs(root: string, patch: string, commit: string): Promise<string | undefined> {
  const files = parsePatch(patch);
  if (files.length === 0 || files.some((f) => f.base !== undefined)) return undefined;
  const out: string[] = [];
  for (const file of files) {
    const blob = await git(['rev-parse', '--verify', '-q', `${commit}:${file.path}`], root);
    if (blob.code !== 0) return undefined;
    const id = blob.stdout.trim();
    // Only the original blob matters for a forward merge: git computes the result itself.
    out.push(
      [file.header[0], `index ${id}..${id}`, ...file.header.slice(1), ...file.hunks.flatMap((h) => h.lines)].join('\n'),
    );
  }
  return `${out.join('\n')}\n`;
}

/** A hunk of a patch that does not apply, and why in words. */
export interface ClashHunk {
  path: string;
  /** The hunk's `@@ … @@` line ('' when the whole file is missing). */
  header: string;
  /** The hunk's lines as in the patch, its header first. */
  lines: string[];
  /** `src/a.ts: hunk @@ -10,6 +10,9 @@ clashes with your local change at lines 10–14 (…)`. */
  message: string;
}

/** What `describeClash` found. */
export interface Clash {
  /** One per hunk that clashes. */
  hunks: ClashHunk[];
  /** Whether some file's original (at the job's commit) is not in this repository, so git could not merge it. */
  missingOriginal: boolean;
}

/**
 * Which hunks of a patch that does not apply clash with the working copy, and with what: where the repository has
 * the original file (named by the patch or found at `commit`), the local changes that overlap each hunk; otherwise
 * the hunks that do not apply on their own. Changes no file (it may add blobs to the object store).
 */
export async function describeClash(root: string, patch: string, commit: string | undefined): Promise<Clash> {
  const since = commit ? `the job's commit ${commit.slice(0, 7)}` : "the job's commit";
  const hunks: ClashHunk[] = [];
  let missingOriginal = false;
  for (const file of parsePatch(patch)) {
    const base = await originalBlob(root, file, commit);
    const found: ClashHunk[] = [];
    const clash = (hunk: Hunk, message: string): ClashHunk => ({
      path: file.path,
      header: hunk.header,
      lines: hunk.lines,
      message,
    });
    if (base) {
      const ours = await git(['hash-object', '-w', '--', file.path], root);
      if (ours.code !== 0) {
        hunks.push({
          path: file.path,
          header: '',
          lines: [],
          message: `${file.path}: the file is not in your working copy`,
        });
        continue;
      }
      const local = localChanges(
        (await git(['diff', '-U0', '--no-color', '--no-ext-diff', base, ours.stdout.trim()], root)).stdout,
      );
      for (const hunk of file.hunks) {
        const overlapping = local.filter((change) => overlaps(hunk, change));
        if (overlapping.length > 0) {
          found.push(
            clash(
              hunk,
              `${file.path}: hunk ${hunk.header} clashes with your local change at ${lineList(overlapping)} (the lines differ from ${since})`,
            ),
          );
        }
      }
    } else missingOriginal = true;
    if (found.length === 0) {
      // No original to compare with (or no overlap found): name the hunks that do not apply on their own.
      for (const hunk of file.hunks) {
        const single = `${[...file.header, ...hunk.lines].join('\n')}\n`;
        if (!(await appliesExactly(root, single))) {
          found.push(
            clash(hunk, `${file.path}: hunk ${hunk.header} does not match your copy (the lines differ from ${since})`),
          );
        }
      }
    }
    hunks.push(...found);
  }
  return { hunks, missingOriginal };
}

/** The scratch index a trial runs on, and what it found. */
async function trial(
  root: string,
  patchFile: string,
  dir: string,
  options: PatchOptions,
): Promise<{ check: PatchCheck; files: string[]; env: NodeJS.ProcessEnv; ours: string }> {
  const index = path.join(dir, 'index');
  const env = { GIT_INDEX_FILE: index };
  const real = (await git(['rev-parse', '--git-path', 'index'], root)).stdout.trim();
  // A repository with nothing staged yet has no index: the scratch one then starts empty.
  await fs.copyFile(path.resolve(root, real), index).catch(() => undefined);
  const files = await patchPaths(root, patchFile);
  // The merge's "ours" is the working tree as the user sees it, staged or not.
  const ours = await contentIds(root, files);
  const fail = (result: GitResult, conflicts: string[] = []) => ({
    check: { ok: false, conflicts, problems: problems(result) },
    files,
    env,
    ours,
  });
  const seeded = await seed(root, files, env);
  if (seeded.code !== 0) return fail(seeded);
  const result = await git(['apply', '--cached', '--3way', ...(options.reverse ? ['-R'] : []), patchFile], root, env);
  if (result.code === 0) return { check: { ok: true, conflicts: [], problems: [] }, files, env, ours };
  const conflicts = [...`${result.stdout}\n${result.stderr}`.matchAll(/Applied patch to '(.+)' with conflicts/g)].map(
    (m) => m[1]!,
  );
  return fail(result, conflicts);
}

/** The blob ids of the files' content in the working tree now, one line each (`-` for a missing file). */
async function contentIds(root: string, files: string[]): Promise<string> {
  const ids: string[] = [];
  for (const file of files) {
    const stat = await fs.lstat(path.join(root, file)).catch(() => undefined);
    ids.push(stat?.isFile() ? (await git(['hash-object', '--', file], root)).stdout.trim() : '-');
  }
  return ids.join('\n');
}

/**
 * Puts the working tree's version of `files` into the scratch index, hashing their content every time: the copied
 * index's stat data cannot be trusted (a file edited within the same second, same size, would look unchanged).
 */
async function seed(root: string, files: string[], env: NodeJS.ProcessEnv): Promise<GitResult> {
  const present: string[] = [];
  const absent: string[] = [];
  for (const file of files) {
    const stat = await fs.lstat(path.join(root, file)).catch(() => undefined);
    (stat?.isFile() ? present : absent).push(file);
  }
  const args = ['update-index', '--add'];
  if (present.length > 0) {
    const hashed = await git(['hash-object', '-w', '--', ...present], root);
    if (hashed.code !== 0) return hashed;
    const hashes = hashed.stdout.trim().split('\n');
    const modes = await indexModes(root, present);
    for (const [i, file] of present.entries()) {
      const mode = modes.get(file) ?? ((await fs.stat(path.join(root, file))).mode & 0o111 ? '100755' : '100644');
      args.push('--cacheinfo', `${mode},${hashes[i]},${file}`);
    }
  }
  if (absent.length > 0) args.push('--force-remove', '--', ...absent);
  return git(args, root, env);
}

/** The mode each file has in the real index (`git ls-files -s`), for the files that are in it. */
async function indexModes(root: string, files: string[]): Promise<Map<string, string>> {
  const listed = await git(['ls-files', '-s', '-z', '--', ...files], root);
  const modes = new Map<string, string>();
  for (const record of listed.stdout.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab !== -1) modes.set(record.slice(tab + 1), record.split(' ')[0]!);
  }
  return modes;
}

/** The paths a patch touches, as git reads them (`git apply --numstat -z`). */
async function patchPaths(root: string, patchFile: string): Promise<string[]> {
  const result = await git(['apply', '--numstat', '-z', patchFile], root);
  const tokens = result.stdout.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const record = tokens[i]!;
    if (record === '') continue;
    const name = record.split('\t').slice(2).join('\t');
    if (name !== '') paths.push(name);
    else {
      // A rename: the old and the new path follow.
      paths.push(tokens[i + 1] ?? '', tokens[i + 2] ?? '');
      i += 2;
    }
  }
  return [...new Set(paths.filter((p) => p !== ''))];
}

const NOISE = [
  /^error: repository lacks the necessary blob/,
  /^Falling back to direct application/,
  /^Falling back to three-way merge/,
  /^Applied patch to '.+' cleanly/,
  /^Performing three-way merge/,
  /^U /,
];

function problems(result: GitResult): string[] {
  return `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !NOISE.some((re) => re.test(l)));
}

/** One file of a unified diff: its header lines, its path, the original blob it names, and its hunks. */
interface PatchFile {
  header: string[];
  path: string;
  base: string | undefined;
  hunks: Hunk[];
}

/** A hunk: its `@@` line, where it starts in the original and how many lines of it it covers. */
interface Hunk {
  header: string;
  start: number;
  count: number;
  lines: string[];
}

/** A change of the working copy against the original: lines of the original, and lines of the copy now. */
interface LocalChange {
  start: number;
  count: number;
  newStart: number;
  newCount: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function parsePatch(patch: string): PatchFile[] {
  const files: PatchFile[] = [];
  let file: PatchFile | undefined;
  let hunk: Hunk | undefined;
  for (const line of patch.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('diff --git ')) {
      file = { header: [line], path: '', base: undefined, hunks: [] };
      hunk = undefined;
      files.push(file);
      continue;
    }
    if (!file) continue;
    const at = HUNK.exec(line);
    if (at) {
      hunk = {
        header: line.slice(0, line.indexOf('@@', 2) + 2),
        start: Number(at[1]),
        count: at[2] === undefined ? 1 : Number(at[2]),
        lines: [line],
      };
      file.hunks.push(hunk);
    } else if (hunk) hunk.lines.push(line);
    else {
      file.header.push(line);
      const index = /^index ([0-9a-f]{7,64})\.\.[0-9a-f]{7,64}/.exec(line);
      if (index) file.base = index[1];
      if (line.startsWith('--- a/') && file.path === '') file.path = unquote(line.slice(6));
      if (line.startsWith('+++ b/')) file.path = unquote(line.slice(6));
    }
  }
  return files.filter((f) => f.path !== '');
}

function unquote(name: string): string {
  const trimmed = name.replace(/\t.*$/, '');
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/** The file as the job saw it, when this repository has it: the blob the patch names, or the file at `commit`. */
async function originalBlob(root: string, file: PatchFile, commit: string | undefined): Promise<string | undefined> {
  if (file.base && (await git(['cat-file', '-e', `${file.base}^{blob}`], root)).code === 0) return file.base;
  if (!commit) return undefined;
  const blob = await git(['rev-parse', '--verify', '-q', `${commit}:${file.path}`], root);
  return blob.code === 0 ? blob.stdout.trim() : undefined;
}

function localChanges(diff: string): LocalChange[] {
  return diff.split('\n').flatMap((line) => {
    const at = HUNK.exec(line);
    if (!at) return [];
    return [
      {
        start: Number(at[1]),
        count: at[2] === undefined ? 1 : Number(at[2]),
        newStart: Number(at[3]),
        newCount: at[4] === undefined ? 1 : Number(at[4]),
      },
    ];
  });
}

/** Whether a local change touches the lines a hunk covers (its context included) in the original. */
function overlaps(hunk: Hunk, change: LocalChange): boolean {
  const hunkEnd = hunk.start + Math.max(hunk.count, 1) - 1;
  // A pure insertion (count 0) sits between line `start` and the next one.
  const changeEnd = change.count === 0 ? change.start + 1 : change.start + change.count - 1;
  return change.start <= hunkEnd && changeEnd >= hunk.start;
}

/** "line 12", "lines 10–14", "lines 3 and 10–14"; a deletion is "the lines removed after line 9". */
function lineList(changes: LocalChange[]): string {
  const parts = changes.map((c) =>
    c.newCount === 0
      ? `the lines removed after line ${c.newStart}`
      : c.newCount === 1
        ? `${c.newStart}`
        : `${c.newStart}–${c.newStart + c.newCount - 1}`,
  );
  const plain = parts.filter((p) => !p.startsWith('the'));
  const removed = parts.filter((p) => p.startsWith('the'));
  const many = plain.length > 1 || plain.some((p) => p.includes('–'));
  const lines = plain.length > 0 ? [`${many ? 'lines' : 'line'} ${joinAnd(plain)}`] : [];
  return joinAnd([...lines, ...removed]);
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Writes the patch to a private temporary file for `fn` (with the folder, for scratch files), and removes both. */
async function withPatchFile<T>(patch: string, fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-patch-'));
  try {
    const file = path.join(dir, 'suggestion.patch');
    // git apply wants the patch to end with a line break.
    await fs.writeFile(file, patch.endsWith('\n') ? patch : `${patch}\n`, { mode: 0o600 });
    return await fn(file, dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * What the patch wants `file` to be: its original (the blob the patch names, or the file at `commit`) with the
 * file's part of the patch applied, in a scratch folder outside any repository. Null when the original is not in
 * this repository, the file is binary, or the patch does not apply even to its original.
 */
export async function intendedContent(
  root: string,
  patch: string,
  file: string,
  commit: string | undefined,
): Promise<string | null> {
  const part = parsePatch(patch).find((f) => f.path === file);
  if (!part) return null;
  const base = await originalBlob(root, part, commit);
  const original = base ? await git(['cat-file', 'blob', base], root) : undefined;
  if (base && original?.code !== 0) return null;
  const text = [...part.header, ...part.hunks.flatMap((h) => h.lines)].join('\n');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-theirs-'));
  try {
    const target = path.join(dir, 'tree', file);
    if (!target.startsWith(path.join(dir, 'tree') + path.sep)) return null;
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (original) await fs.writeFile(target, original.stdout);
    await fs.writeFile(path.join(dir, 'part.patch'), `${text}\n`, { mode: 0o600 });
    // Outside a repository git apply works on plain files; the ceiling keeps it from finding one above /tmp.
    const applied = await git(['apply', path.join(dir, 'part.patch')], path.join(dir, 'tree'), {
      GIT_CEILING_DIRECTORIES: dir,
    });
    if (applied.code !== 0) return null;
    const out = await fs.readFile(target).catch(() => undefined);
    return out === undefined || out.includes(0) ? null : out.toString('utf8');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The paths a patch names (its `+++ b/` or `--- a/` lines), in order. */
export function patchFilePaths(patch: string): string[] {
  return parsePatch(patch).map((f) => f.path);
}
