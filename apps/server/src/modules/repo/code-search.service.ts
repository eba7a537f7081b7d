import { errors, type SearchResult } from '@hivesync/core';
import { IndexFormatError, IndexMissingError, type SearchIndex, SearchQueryError } from '@hivesync/search';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { CodeSearchStore } from './code-search.repository.js';
import type { MirrorStore, MirrorView } from './mirror.repository.js';
import { normalizeRepoPath } from './repo-path.js';

/** Queue of search index jobs: index one commit of a project (a commit searched before it was indexed, a rebuild). */
export const SEARCH_INDEX_QUEUE = 'search-index';

// A line longer than this is cut (with …) in answers, like the search before the index.
const MAX_LINE_CHARS = 1000;

/** A search as the API takes it (GET /repo/search). */
export interface CodeSearchQuery {
  project_id: string;
  q: string;
  regex?: boolean;
  ignore_case?: boolean;
  word?: boolean;
  path?: string;
  glob?: string;
  lang?: string;
  files?: boolean;
  context?: number;
  limit?: number;
  commit?: string;
  cursor?: string;
  count?: boolean;
}

export interface CodeSearchDeps {
  queue: Queue;
  projects: ProjectsService;
  mirrors: MirrorStore;
  store: CodeSearchStore;
  logger: Logger;
  options: {
    /** Synced commits per project kept indexed (HIVESYNC_SEARCH_KEEP_COMMITS). */
    keepCommits: number;
    timeBudgetMs: number;
    maxResponseBytes: number;
  };
  /** Commits that must stay indexed whatever their age (open threads and suggestions refer to them). */
  pinnedCommits?: (projectId: string) => Promise<string[]>;
}

/**
 * Code search over the content-addressed trigram index (packages/search): answering searches, indexing a synced
 * commit (only its new blobs), index jobs for commits searched before they were indexed, and garbage collection.
 */
export class CodeSearchService {
  private lastReconcile: number | undefined;
  constructor(private readonly deps: CodeSearchDeps) {}

  /** Closes the open indexes and stops the search threads (shutdown). */
  close(): Promise<void> {
    return this.deps.store.close();
  }

  /** Runs `reconcile` the first time it is called (a worker's first minute) and then every `everyMs`. */
  async reconcileDue(now: number, everyMs = 10 * 60_000): Promise<void> {
    if (this.lastReconcile !== undefined && now - this.lastReconcile < everyMs) return;
    this.lastReconcile = now;
    await this.reconcile();
  }

  /** Searches a project's mirror at its current commit or at `commit` (viewers and above). */
  async search(auth: AuthContext, query: CodeSearchQuery): Promise<SearchResult> {
    if (/[\n\r\0]/.test(query.q)) throw errors.validation('q: must be a single line');
    const dir = normalizeRepoPath(query.path);
    const project = await this.deps.projects.requireProjectAccess(auth, query.project_id, 'viewer');
    const view = await this.deps.mirrors.current(project.id);
    if (!view) throw errors.repoNotSynced();
    const commit = query.commit ?? view.commit;
    const index = this.deps.store.indexFor(view);
    let page;
    try {
      page = await index.search(commit, {
        q: query.q,
        regex: query.regex === true,
        ignoreCase: query.ignore_case === true,
        word: query.word === true,
        path: dir || undefined,
        glob: query.glob,
        lang: query.lang,
        files: query.files === true,
        context: query.context,
        limit: query.limit ?? 100,
        cursor: query.cursor,
        count: query.count === true,
        timeBudgetMs: this.deps.options.timeBudgetMs,
        maxBytes: this.deps.options.maxResponseBytes,
      });
    } catch (err) {
      if (err instanceof SearchQueryError) throw errors.validation(err.message);
      if (err instanceof IndexMissingError || err instanceof IndexFormatError) {
        if (commit !== view.commit && !(await this.deps.mirrors.hasCommit(view, commit))) {
          throw errors.notFound('commit');
        }
        await this.enqueueIndex(project.id, commit);
        throw errors.indexMissing(commit);
      }
      throw err;
    }
    const cut = (s: string) => (s.length > MAX_LINE_CHARS ? `${s.slice(0, MAX_LINE_CHARS)}…` : s);
    return {
      commit,
      matches: page.matches.map((m) => ({
        path: m.path,
        line: m.line,
        column: m.column,
        text: cut(m.text),
        ranges: m.ranges.filter(([s]) => s < MAX_LINE_CHARS).map(([s, e]) => [s, Math.min(e, MAX_LINE_CHARS)]),
        ...(m.before && { before: m.before.map(cut) }),
        ...(m.after && { after: m.after.map(cut) }),
      })),
      ...(query.files === true && { files: page.files }),
      truncated: page.truncated,
      next: page.next,
      timed_out: page.timed_out,
      scan: page.scan,
      ...(page.count !== undefined && { count: page.count }),
    };
  }

  /** Bytes of index pages in memory (all projects), never above HIVESYNC_SEARCH_PAGE_CACHE_BYTES. */
  get cachedBytes(): number {
    return this.deps.store.cachedBytes;
  }

  /** The search index of a project's mirror (for operators and tests); undefined before the first sync. */
  async indexOf(projectId: string): Promise<SearchIndex | undefined> {
    const view = await this.deps.mirrors.current(projectId);
    return view && this.deps.store.indexFor(view);
  }

  /** Queues indexing `commit` (once: a job already queued for it is enough). */
  async enqueueIndex(projectId: string, commit: string): Promise<void> {
    await this.deps.queue
      .send(SEARCH_INDEX_QUEUE, { project_id: projectId, commit }, undefined, {
        singletonKey: `${projectId}:${commit}`,
      })
      .catch((err: Error) => {
        // pg-boss refuses a second job with the same key while one is queued: that one will do.
        if (!/refused/.test(err.message)) throw err;
      });
  }

  /**
   * Indexes the commit a sync just brought, before the sync completes (so a completed sync is searchable); reads
   * only blobs no indexed commit has. A failure does not fail the sync: an index job retries it.
   */
  async indexSynced(projectId: string, commit: string, log: Logger): Promise<void> {
    try {
      const report = await this.index(projectId, commit);
      if (report) log.info({ search_index: report }, 'commit indexed for search');
    } catch (err) {
      log.warn({ err: { message: (err as Error).message }, commit }, 'search indexing failed; queued a retry');
      await this.enqueueIndex(projectId, commit);
    }
  }

  /** The index job: indexes `commit` (when the mirror still has it), then collects garbage. */
  async runIndexJob(data: { project_id: string; commit: string }, log: Logger): Promise<void> {
    const report = await this.index(data.project_id, data.commit);
    if (report) log.info({ search_index: report }, 'commit indexed for search');
  }

  private async index(projectId: string, commit: string) {
    const view = await this.deps.mirrors.current(projectId);
    if (!view) return undefined; // the project is gone, or not synced any more
    if (commit !== view.commit && !(await this.deps.mirrors.hasCommit(view, commit))) return undefined;
    const index = this.deps.store.indexFor(view);
    const report = await index.indexCommit({ gitDir: view.gitDir, env: this.deps.store.gitEnv }, commit);
    await this.collect(projectId, view, index);
    return report;
  }

  /**
   * Drops all but the newest HIVESYNC_SEARCH_KEEP_COMMITS indexed commits (never the served one, nor pinned ones)
   * and the blobs only they used.
   */
  private async collect(projectId: string, view: MirrorView, index: SearchIndex): Promise<void> {
    const commits = await index.commits();
    const keep = new Set(commits.slice(-this.deps.options.keepCommits));
    keep.add(view.commit);
    for (const c of (await this.deps.pinnedCommits?.(projectId)) ?? []) keep.add(c);
    if (commits.every((c) => keep.has(c)) && commits.length <= this.deps.options.keepCommits) return;
    await index.gc(keep);
  }

  /**
   * Brings every mirror's index up to date: removes the shard indexes of the previous search (format 0) and queues
   * an index job for each served commit that is not indexed. Runs on worker start-up and then periodically, so an
   * upgraded server rebuilds its indexes by itself.
   */
  async reconcile(): Promise<{ removed_shard_indexes: number; queued: number }> {
    let removed = 0;
    let queued = 0;
    for (const projectId of await this.deps.store.mirroredProjects()) {
      removed += await this.deps.store.removeShardIndexes(projectId);
      const view = await this.deps.mirrors.current(projectId).catch(() => undefined);
      if (!view) continue;
      const indexed = await this.deps.store
        .indexFor(view)
        .has(view.commit)
        .catch(() => false);
      if (indexed) continue;
      await this.enqueueIndex(projectId, view.commit);
      queued++;
    }
    if (removed + queued > 0)
      this.deps.logger.info({ removed_shard_indexes: removed, queued }, 'search index reconciled');
    return { removed_shard_indexes: removed, queued };
  }
}
