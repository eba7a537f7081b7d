import type {
  Commit,
  CommitDetail,
  CommitList,
  CredentialStatus,
  Diff,
  Manifest,
  RepoFile,
  SearchResult,
  SetCredentialBody,
  Sync,
  SyncStatus,
  Tree,
  SyncList,
} from '@hivesync/core';
import { isHiveSyncError } from './errors.js';
import { sleep } from './sleep.js';
import type { RequestOptions, Transport } from './transport.js';

/** Milliseconds between polls of `repo.waitForSync()` when the caller does not say. */
export const DEFAULT_SYNC_POLL_MS = 500;
/** How many failed polls in a row (network errors, 503, 429) `repo.waitForSync()` rides out before it rejects. */
export const SYNC_POLL_RETRIES = 5;
const MAX_RETRY_WAIT_MS = 10_000;

/** Query of GET /repo/syncs. */
export interface ListSyncsParams {
  /** 1 to 100; the server's default is 20. */
  limit?: number;
}

/** Query of GET /repo/tree. */
export interface TreeParams {
  /** A directory, relative to the repository root; the root when omitted. */
  path?: string;
  /** Every entry below `path`, not only its direct children. */
  recursive?: boolean;
  /** A full 40-character commit hash; the mirror's current commit when omitted. */
  commit?: string;
}

/** Query of GET /repo/file. */
export interface FileParams {
  /** A full 40-character commit hash; the mirror's current commit when omitted. */
  commit?: string;
}

/** Query of GET /repo/search. */
export interface SearchParams {
  /** Treat the query as a regular expression (in the server's flavour) instead of a fixed string. */
  regex?: boolean;
  ignore_case?: boolean;
  /** Only files under this directory (or this file). */
  path?: string;
  /** 1 to 10000; the server's default is 100. `truncated` tells whether there were more. */
  limit?: number;
  /** Only whole-word matches. */
  word?: boolean;
  /** Only paths matching this glob (`*`, `?`, `**`, `{a,b}`); without a `/`, file names. */
  glob?: string;
  /** Only files of this language (`typescript`, `go`, …). */
  lang?: string;
  /** File-name search: `q` matches paths, the answer lists `files`. */
  files?: boolean;
  /** Lines of context before and after each match (0 to 10). */
  context?: number;
  /** Search this commit (a full hash) instead of the mirror's current one. */
  commit?: string;
  /** The previous page's `next`. */
  cursor?: string;
  /** Count the matching lines (file names with `files`) instead of listing them: the answer's `count`. */
  count?: boolean;
}

/** Query of GET /projects/{id}/repo/commits. */
export interface CommitsParams {
  /** A branch of the mirror or a commit hash; the project's synced commit when omitted. Ignored with `cursor`. */
  ref?: string;
  /** Only commits that touch this file or directory. */
  path?: string;
  /** The `next_cursor` of the previous page (ask with the same `path`). */
  cursor?: string;
  /** 1 to 200; the server's default is 50. */
  limit?: number;
}

/** Query of GET /projects/{id}/repo/diff besides `from`. */
export interface DiffParams {
  /** A branch of the mirror or a commit hash; the project's synced commit when omitted. */
  to?: string;
}

/** Options of `repo.waitForSync()`. */
export interface WaitForSyncOptions {
  /** Called with the sync whenever its status changes, the first poll included. */
  onProgress?: (sync: Sync) => void;
  /** Milliseconds between polls; 500 by default. */
  intervalMs?: number;
  /** Stops waiting: the promise then rejects with the signal's reason (the sync itself goes on). */
  signal?: AbortSignal;
}

const FINAL: readonly SyncStatus[] = ['completed', 'failed'];
const projectPath = (id: string) => `/projects/${encodeURIComponent(id)}`;

/**
 * /repo and /projects/{id}/{manifest,credential,repo/…}: a project's repository mirror, its syncs, its history and
 * its credential.
 */
export class RepoApi {
  constructor(private readonly transport: Transport) {}

  /** Queues a sync (member role); when one is already queued or running for the project, answers that one. */
  sync(projectId: string, opts?: RequestOptions): Promise<Sync> {
    return this.transport.json<Sync>({ method: 'POST', path: '/repo/sync', body: { project_id: projectId } }, opts);
  }

  /** One sync, with its current stage. */
  getSync(syncId: string, opts?: RequestOptions): Promise<Sync> {
    return this.transport.json<Sync>({ method: 'GET', path: `/repo/sync/${encodeURIComponent(syncId)}` }, opts);
  }

  /** A project's recent syncs, newest first. */
  listSyncs(projectId: string, params: ListSyncsParams = {}, opts?: RequestOptions): Promise<SyncList> {
    return this.transport.json<SyncList>(
      { method: 'GET', path: '/repo/syncs', query: { project_id: projectId, ...params } },
      opts,
    );
  }

  /** A directory of the mirror; `repo_not_synced` (409) before the first successful sync. */
  tree(projectId: string, params: TreeParams = {}, opts?: RequestOptions): Promise<Tree> {
    return this.transport.json<Tree>(
      { method: 'GET', path: '/repo/tree', query: { project_id: projectId, ...params } },
      opts,
    );
  }

  /**
   * A file of the mirror: `encoding` is `utf8` for text (then `content` is the text) or `base64` for anything else.
   * `payload_too_large` (413) above the server's size limit.
   */
  file(projectId: string, path: string, params: FileParams = {}, opts?: RequestOptions): Promise<RepoFile> {
    return this.transport.json<RepoFile>(
      { method: 'GET', path: '/repo/file', query: { project_id: projectId, path, ...params } },
      opts,
    );
  }

  /**
   * Searches the mirror's current commit (or `commit`): a fixed string, or a regular expression with `regex`. A
   * commit that is not indexed yet answers `index_missing` (409, retryable, `retryAfter`) while it is indexed.
   */
  search(projectId: string, q: string, params: SearchParams = {}, opts?: RequestOptions): Promise<SearchResult> {
    return this.transport.json<SearchResult>(
      { method: 'GET', path: '/repo/search', query: { project_id: projectId, q, ...params } },
      opts,
    );
  }

  /** Every file of the mirror's current commit with its size and git blob hash, and one hash over all of them. */
  manifest(projectId: string, opts?: RequestOptions): Promise<Manifest> {
    return this.transport.json<Manifest>({ method: 'GET', path: `${projectPath(projectId)}/manifest` }, opts);
  }

  /**
   * A page of the mirror's commit log, newest first, with `next_cursor` for the next page (null on the last). Pages
   * keep walking the history they started on, whatever syncs happen meanwhile.
   */
  commits(projectId: string, params: CommitsParams = {}, opts?: RequestOptions): Promise<CommitList> {
    return this.transport.json<CommitList>(
      { method: 'GET', path: `${projectPath(projectId)}/repo/commits`, query: { ...params } },
      opts,
    );
  }

  /** Every commit of the log (`limit` is the page size), page after page, fetching a page only when needed. */
  async *allCommits(
    projectId: string,
    params: CommitsParams = {},
    opts?: RequestOptions,
  ): AsyncGenerator<Commit, void, undefined> {
    let cursor = params.cursor;
    do {
      const page = await this.commits(projectId, { ...params, ...(cursor !== undefined && { cursor }) }, opts);
      yield* page.commits;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** One commit (a hash of 4 to 40 hex digits) with its diff against its first parent (the empty tree for a root). */
  commit(projectId: string, sha: string, opts?: RequestOptions): Promise<CommitDetail> {
    return this.transport.json<CommitDetail>(
      { method: 'GET', path: `${projectPath(projectId)}/repo/commits/${encodeURIComponent(sha)}` },
      opts,
    );
  }

  /**
   * The diff from `from` to `to` (branches or commit hashes; `to` defaults to the synced commit), per file with
   * hunks. Capped by the server: a file cut short, or the answer, says `truncated: true`.
   */
  diff(projectId: string, from: string, params: DiffParams = {}, opts?: RequestOptions): Promise<Diff> {
    return this.transport.json<Diff>(
      { method: 'GET', path: `${projectPath(projectId)}/repo/diff`, query: { from, ...params } },
      opts,
    );
  }

  /** Stores the repository credential (admin role), encrypted at rest; it can never be read back. */
  setCredential(projectId: string, body: SetCredentialBody, opts?: RequestOptions): Promise<CredentialStatus> {
    return this.transport.json<CredentialStatus>(
      { method: 'PUT', path: `${projectPath(projectId)}/credential`, body },
      opts,
    );
  }

  /** Whether a repository credential is set, and its type (never the credential itself). */
  credential(projectId: string, opts?: RequestOptions): Promise<CredentialStatus> {
    return this.transport.json<CredentialStatus>({ method: 'GET', path: `${projectPath(projectId)}/credential` }, opts);
  }

  /** Removes the repository credential (admin role). */
  async deleteCredential(projectId: string, opts?: RequestOptions): Promise<void> {
    await this.transport.json<undefined>({ method: 'DELETE', path: `${projectPath(projectId)}/credential` }, opts);
  }

  /**
   * Polls a sync until it is `completed` or `failed` and resolves with it; a failed sync resolves too (look at
   * `status` and `error`). A retryable failure of a poll (network error, 503, 429) is retried after Retry-After or a
   * growing pause, up to SYNC_POLL_RETRIES times in a row; any other failure rejects.
   */
  async waitForSync(syncId: string, options: WaitForSyncOptions = {}): Promise<Sync> {
    const { onProgress, intervalMs = DEFAULT_SYNC_POLL_MS, signal } = options;
    let seen: SyncStatus | undefined;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      let sync: Sync;
      try {
        sync = await this.getSync(syncId, { signal });
        failures = 0;
      } catch (err) {
        if (signal?.aborted || !isHiveSyncError(err) || !err.retryable || ++failures > SYNC_POLL_RETRIES) throw err;
        const backoff = Math.min(MAX_RETRY_WAIT_MS, intervalMs * 2 ** failures);
        await sleep(Math.max((err.retryAfter ?? 0) * 1000, backoff), signal);
        continue;
      }
      if (sync.status !== seen) {
        seen = sync.status;
        onProgress?.(sync);
      }
      if (FINAL.includes(sync.status)) return sync;
      await sleep(intervalMs, signal);
    }
  }
}
