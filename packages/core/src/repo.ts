import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** Stages of a sync, in order; `completed` and `failed` are final. */
export const SYNC_STATUSES = [
  'queued',
  'running',
  'updating_files',
  'cleaning',
  'finalizing',
  'completed',
  'failed',
] as const;
export const SyncStatus = z.enum(SYNC_STATUSES);
export type SyncStatus = z.infer<typeof SyncStatus>;

/** Codes a failed sync carries in its `error`. */
export const SYNC_ERROR_CODES = [
  'repo_auth_failed',
  'repo_not_found',
  'repo_branch_not_found',
  'repo_network_error',
  'repo_corrupt',
  'repo_git_error',
  'repo_url_forbidden',
  'storage_full',
  'timeout',
  'internal_error',
] as const;
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

export const JobError = z.object({ code: z.string(), message: z.string() }).meta({ id: 'JobError' });
export type JobError = z.infer<typeof JobError>;

export const Sync = z
  .object({
    sync_id: Id,
    project_id: Id,
    status: SyncStatus,
    trigger: z.enum(['manual', 'schedule']),
    commit: z.string().nullable(),
    attempts: z.number().int(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    duration_ms: z.number().int().nullable(),
    error: JobError.nullable(),
  })
  .meta({ id: 'Sync' });
export type Sync = z.infer<typeof Sync>;

export const SyncList = z.object({ syncs: z.array(Sync) }).meta({ id: 'SyncList' });
export type SyncList = z.infer<typeof SyncList>;

export const StartSyncBody = z.object({ project_id: Id }).meta({ id: 'StartSyncBody' });
export type StartSyncBody = z.infer<typeof StartSyncBody>;

export const SyncParams = z.object({ sync_id: Id });

const BoolParam = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/** A repository path as clients send it: relative, `/`-separated; the server proves it stays inside the mirror. */
export const RepoPath = z.string().max(4096);

/** A full commit hash. */
export const CommitHash = z.string().regex(/^[0-9a-f]{40}$/, { message: 'must be a full 40-character commit hash' });

export const TreeQuery = z.object({
  project_id: Id,
  path: RepoPath.optional(),
  recursive: BoolParam,
  commit: CommitHash.optional(),
});
export type TreeQuery = z.input<typeof TreeQuery>;

export const TreeEntry = z.object({
  path: z.string(),
  type: z.enum(['file', 'dir']),
  size: z.number().int().optional(),
  hash: z.string().optional(),
});
export type TreeEntry = z.infer<typeof TreeEntry>;

export const Tree = z
  .object({ commit: z.string(), path: z.string(), entries: z.array(TreeEntry) })
  .meta({ id: 'Tree' });
export type Tree = z.infer<typeof Tree>;

export const FileQuery = z.object({ project_id: Id, path: RepoPath.min(1), commit: CommitHash.optional() });
export type FileQuery = z.input<typeof FileQuery>;

export const RepoFile = z
  .object({
    commit: z.string(),
    path: z.string(),
    size: z.number().int(),
    hash: z.string(),
    encoding: z.enum(['utf8', 'base64']),
    content: z.string(),
  })
  .meta({ id: 'RepoFile' });
export type RepoFile = z.infer<typeof RepoFile>;

export const SearchQuery = z.object({
  project_id: Id,
  q: z.string().min(1, { message: 'must not be empty' }).max(1000),
  regex: BoolParam,
  ignore_case: BoolParam,
  path: RepoPath.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  /** Only whole-word matches. */
  word: BoolParam,
  /** Only files whose path matches this glob (`*`, `?`, `**`, `{a,b}`); without a `/`, the file name. */
  glob: z.string().min(1).max(300).optional(),
  /** Only files of this language (`typescript`, `go`, `markdown`, …). */
  lang: z.string().min(1).max(40).optional(),
  /** File-name search: match `q` against paths instead of contents. */
  files: BoolParam,
  /** Lines of context before and after each matching line. */
  context: z.coerce.number().int().min(0).max(10).optional(),
  /** Search this indexed commit instead of the mirror's current one. */
  commit: CommitHash.optional(),
  /** The previous page's `next`. */
  cursor: z.string().min(1).max(2000).optional(),
  /** Count the matching lines (file names with `files`) instead of listing them: `count`, no matches. */
  count: BoolParam,
});
export type SearchQuery = z.input<typeof SearchQuery>;

export const SearchMatch = z.object({
  path: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  text: z.string(),
  /** [start, end) of each match in `text`, in UTF-16 code units, for highlighting. */
  ranges: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
  before: z.array(z.string()).optional(),
  after: z.array(z.string()).optional(),
});
export type SearchMatch = z.infer<typeof SearchMatch>;

export const SearchFile = z.object({
  path: z.string(),
  lang: z.string().nullable(),
  ranges: z.array(z.tuple([z.number().int(), z.number().int()])),
});
export type SearchFile = z.infer<typeof SearchFile>;

export const SearchResult = z
  .object({
    commit: z.string(),
    matches: z.array(SearchMatch),
    truncated: z.boolean(),
    /** File-name searches (`files=true`): the matching paths. */
    files: z.array(SearchFile).optional(),
    /** Pass as `cursor` for the next page; null at the end. */
    next: z.string().nullable().optional(),
    /** The time budget stopped the page early; `next` continues. */
    timed_out: z.boolean().optional(),
    /** No trigram narrowed the search: every file was read. */
    scan: z.boolean().optional(),
    /**
     * With `count=true`: the matching lines (or file names) counted. When the time budget stopped the count
     * (`timed_out`), `next` counts on from there: add the counts.
     */
    count: z.number().int().optional(),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResult>;

export const ManifestFile = z.object({ path: z.string(), size: z.number().int(), hash: z.string() });
export type ManifestFile = z.infer<typeof ManifestFile>;

export const Manifest = z
  .object({ project_id: Id, commit: z.string(), hash: z.string(), files: z.array(ManifestFile) })
  .meta({ id: 'Manifest' });
export type Manifest = z.infer<typeof Manifest>;

/** A project's repository credential: an HTTPS token or an SSH private key. Write-only. */
export const SetCredentialBody = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('https_token'),
      token: z.string().min(1).max(4096),
      username: z.string().min(1).max(256).optional(),
    }),
    z.object({
      type: z.literal('ssh_key'),
      private_key: z
        .string()
        .min(1)
        .max(16_384)
        .refine((k) => k.includes('PRIVATE KEY'), { message: 'must be a PEM or OpenSSH private key' }),
      known_hosts: z.string().max(65_536).optional(),
    }),
  ])
  .meta({ id: 'SetCredentialBody' });
export type SetCredentialBody = z.infer<typeof SetCredentialBody>;

export const CredentialStatus = z
  .object({ credential: z.enum(['set', 'not set']), type: z.enum(['https_token', 'ssh_key']).nullable() })
  .meta({ id: 'CredentialStatus' });
export type CredentialStatus = z.infer<typeof CredentialStatus>;
