import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { RepoPath } from './repo.js';

/**
 * A branch of the mirror or a commit hash (4 to 40 hex digits), as clients name a revision. Deliberately narrower
 * than git's revision syntax: no `-` first (never an option), no `..`, `~`, `^`, `@{`, `:`, spaces or control
 * characters, so it can only ever name `refs/heads/<ref>` or an object.
 */
export const GitRef = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(255)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/, {
    message: 'must be a branch name or a commit hash (letters, digits, ".", "_", "-" and "/"; not starting with "-")',
  })
  .refine(
    (r) => !r.includes('..') && !r.includes('//') && !r.endsWith('/') && !r.endsWith('.') && !r.endsWith('.lock'),
    {
      message: 'is not a valid branch name or commit hash',
    },
  );
export type GitRef = z.infer<typeof GitRef>;

/** A commit named by its hash: 4 to 40 hex digits (an abbreviation must be unambiguous in the mirror). */
export const CommitSha = z
  .string()
  .regex(/^[0-9a-fA-F]{4,40}$/, { message: 'must be a commit hash (4 to 40 hex digits)' })
  .transform((s) => s.toLowerCase());

/** Opaque position in a commit log: the log's first commit and how many commits came before (`<sha>.<skip>`). */
export const CommitCursor = z
  .string()
  .regex(/^[0-9a-f]{40}\.\d{1,9}$/, { message: 'must be a next_cursor from a previous page' });

export const CommitsQuery = z.object({
  /** A branch of the mirror or a commit; the project's synced commit when omitted. Ignored with `cursor`. */
  ref: GitRef.optional(),
  /** Only commits that touch this file or directory. */
  path: RepoPath.optional(),
  /** The `next_cursor` of the previous page (same `path`). */
  cursor: CommitCursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type CommitsQuery = z.input<typeof CommitsQuery>;

export const CommitParams = z.object({ id: Id, sha: CommitSha });

export const DiffQuery = z.object({
  from: GitRef,
  /** The project's synced commit when omitted. */
  to: GitRef.optional(),
});
export type DiffQuery = z.input<typeof DiffQuery>;

export const GitPerson = z.object({ name: z.string(), email: z.string() });
export type GitPerson = z.infer<typeof GitPerson>;

export const Commit = z
  .object({
    sha: z.string(),
    /** Parent hashes, first parent first; empty for a root commit. */
    parents: z.array(z.string()),
    author: GitPerson,
    authored_at: Timestamp,
    committer: GitPerson,
    committed_at: Timestamp,
    /** The message's first paragraph, on one line. */
    subject: z.string(),
    /** The rest of the message ('' when there is none). */
    body: z.string(),
  })
  .meta({ id: 'Commit' });
export type Commit = z.infer<typeof Commit>;

export const CommitList = z
  .object({
    /** The commit the log starts from (the resolved `ref`, or the cursor's). */
    head: z.string(),
    commits: z.array(Commit),
    /** Pass as `cursor` for the next page; null on the last page. */
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'CommitList' });
export type CommitList = z.infer<typeof CommitList>;

export const DiffLine = z.object({
  type: z.enum(['context', 'add', 'delete']),
  /** The line's number in the old file (null for an added line). */
  old_line: z.number().int().nullable(),
  /** The line's number in the new file (null for a deleted line). */
  new_line: z.number().int().nullable(),
  /** The line without its leading ' ', '+' or '-' and without its newline. */
  text: z.string(),
  /** The file has no newline after this line ("\ No newline at end of file"). */
  no_newline: z.literal(true).optional(),
});
export type DiffLine = z.infer<typeof DiffLine>;

export const DiffHunk = z.object({
  old_start: z.number().int(),
  old_lines: z.number().int(),
  new_start: z.number().int(),
  new_lines: z.number().int(),
  /** What git prints after the second `@@` (often the enclosing function); '' when nothing. */
  heading: z.string(),
  lines: z.array(DiffLine),
});
export type DiffHunk = z.infer<typeof DiffHunk>;

export const DiffFileStatus = z.enum(['added', 'modified', 'deleted', 'renamed']);
export type DiffFileStatus = z.infer<typeof DiffFileStatus>;

export const DiffFile = z.object({
  /** The file's path in `to` (in `from` for a deleted file). */
  path: z.string(),
  /** The path in `from` of a renamed file; null otherwise. */
  old_path: z.string().nullable(),
  status: DiffFileStatus,
  /** git modes (`100644`, `100755`, `120000` symlink, `160000` submodule); null on the side where it is absent. */
  old_mode: z.string().nullable(),
  new_mode: z.string().nullable(),
  additions: z.number().int(),
  deletions: z.number().int(),
  binary: z.boolean(),
  /** Some or all of this file's hunks were left out (over HIVESYNC_DIFF_MAX_FILE_BYTES, or the answer's cap). */
  truncated: z.boolean(),
  hunks: z.array(DiffHunk),
});
export type DiffFile = z.infer<typeof DiffFile>;

export const Diff = z
  .object({
    /** null for a root commit's diff (against the empty tree). */
    from: z.string().nullable(),
    to: z.string(),
    files: z.array(DiffFile),
    /** Files changed in all, also those left out of `files`. */
    total_files: z.number().int(),
    /** Lines added and deleted in all files (binary files count 0). */
    additions: z.number().int(),
    deletions: z.number().int(),
    /** The answer reached its file-count or byte cap: files were left out, or listed without (all) their hunks. */
    truncated: z.boolean(),
  })
  .meta({ id: 'Diff' });
export type Diff = z.infer<typeof Diff>;

export const CommitDetail = z.object({ commit: Commit, diff: Diff }).meta({ id: 'CommitDetail' });
export type CommitDetail = z.infer<typeof CommitDetail>;
