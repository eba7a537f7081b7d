import { LRUCache } from 'lru-cache';
import { errors, GitRef, type Commit, type CommitDetail, type CommitList, type Diff } from '@hivesync/core';
import { GitError } from '../../infra/git.js';
import type { Logger } from '../../infra/logger.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { ProjectsService } from '../projects/projects.service.js';
import { AmbiguousRef, type DiffLimits, type HistoryStore, type SizedDiff } from './history.repository.js';
import type { MirrorStore, MirrorView } from './mirror.repository.js';
import type { RepoService } from './repo.service.js';
import type { ProjectWithRole } from '../projects/projects.repository.js';
import { normalizeRepoPath } from './repo-path.js';

const DEFAULT_LIMIT = 50;

/** The served mirror of a project the caller may read. */
type Mirror = MirrorView & { project: ProjectWithRole };

export interface HistoryServiceDeps {
  projects: ProjectsService;
  mirrors: MirrorStore;
  /** Its repair flow: a read that meets a damaged object queues a re-clone and answers 503 repo_repairing. */
  repo: Pick<RepoService, 'repairing'>;
  store: HistoryStore;
  logger: Logger;
  options: DiffLimits & {
    /** Bytes of diffs (and, separately, log pages) kept in memory. */
    cacheBytes: number;
  };
}
/**
 * The history of a project's mirror: its commit log, one commit with its diff, and the diff between two commits.
 * Viewers and above may read; for anyone else the project does not exist (404).
 */
export class HistoryService {
  // Answers about fixed commits never change; kept by their size in memory, least recently used dropped first.
  private readonly diffs: LRUCache<string, SizedDiff>;
  private readonly logs: LRUCache<string, Commit[]>;

  private readonly projects: ProjectsService;
  private readonly mirrors: MirrorStore;
  private readonly repo: HistoryServiceDeps['repo'];
  private readonly store: HistoryStore;
  private readonly logger: Logger;
  private readonly options: HistoryServiceDeps['options'];

  constructor(deps: HistoryServiceDeps) {
    const { projects, mirrors, repo, store, logger, options } = deps;
    this.projects = projects;
    this.mirrors = mirrors;
    this.repo = repo;
    this.store = store;
    this.logger = logger;
    this.options = options;
    this.diffs = new LRUCache({ maxSize: options.cacheBytes, sizeCalculation: (d) => Math.max(1, d.bytes) });
    this.logs = new LRUCache({ maxSize: options.cacheBytes, sizeCalculation: commitsBytes });
  }

  /**
   * A page of the commit log, newest first. The cursor is `<first commit>.<commits before>`: later pages walk the
   * same history whatever a sync has done to the branch since, so no commit is shown twice or skipped.
   */
  async commits(
    auth: AuthContext,
    projectId: string,
    query: { ref?: string; path?: string; cursor?: string; limit?: number },
  ): Promise<CommitList> {
    const filePath = normalizeRepoPath(query.path);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const view = await this.view(auth, projectId);
    let head: string;
    let skip = 0;
    if (query.cursor) {
      const [sha, count] = query.cursor.split('.') as [string, string];
      if (!(await this.readGit(view, () => this.store.resolve(view, sha)))) {
        throw errors.validation('cursor: its commit is no longer in the mirror; start from the first page', {
          field: 'cursor',
        });
      }
      head = sha;
      skip = Number(count);
    } else {
      head = query.ref === undefined ? view.commit : await this.resolve(view, query.ref, 'ref');
    }
    const key = JSON.stringify([view.gitDir, head, filePath, skip, limit]);
    let commits = this.logs.get(key);
    if (!commits) {
      // One more than asked: whether it comes tells whether there is a next page.
      commits = await this.readGit(view, () =>
        this.store.log(view, head, { path: filePath || undefined, skip, limit: limit + 1 }),
      );
      this.logs.set(key, commits);
    }
    const more = commits.length > limit;
    return {
      head,
      commits: commits.slice(0, limit),
      next_cursor: more ? `${head}.${skip + limit}` : null,
    };
  }

  /** One commit with its diff against its first parent (the empty tree for a root commit). */
  async commit(auth: AuthContext, projectId: string, sha: string): Promise<CommitDetail> {
    const view = await this.view(auth, projectId);
    const resolved = await this.resolve(view, sha, 'sha', { commitOnly: true });
    const commit = await this.readGit(view, () => this.store.commit(view, resolved));
    if (!commit) throw errors.notFound('commit');
    return { commit, diff: await this.cachedDiff(view, commit.parents[0] ?? null, commit.sha) };
  }

  /** The diff between two commits of the mirror (`to` defaults to the synced commit). */
  async diff(auth: AuthContext, projectId: string, query: { from: string; to?: string }): Promise<Diff> {
    const view = await this.view(auth, projectId);
    const from = await this.resolve(view, query.from, 'from');
    const to = query.to === undefined ? view.commit : await this.resolve(view, query.to, 'to');
    return this.cachedDiff(view, from, to);
  }

  private async cachedDiff(view: Mirror, from: string | null, to: string): Promise<Diff> {
    const key = `${view.gitDir}:${from ?? ''}:${to}`;
    const cached = this.diffs.get(key);
    if (cached) return cached.diff;
    const sized = await this.readGit(view, () => this.store.diff(view, from, to, this.options));
    this.diffs.set(key, sized);
    return sized.diff;
  }

  /** The served mirror, after checking the caller may read the project. */
  private async view(auth: AuthContext, projectId: string): Promise<Mirror> {
    const project = await this.projects.requireProjectRole(auth, projectId, 'viewer');
    const view = await this.mirrors.current(project.id);
    if (!view) throw errors.repoNotSynced();
    return { ...view, project };
  }

  /** A client's ref as a commit of the mirror: 400 when it is not a valid ref, 404 when the mirror has no such one. */
  private async resolve(
    view: Mirror,
    ref: string,
    field: string,
    options: { commitOnly?: boolean } = {},
  ): Promise<string> {
    // The routes validate already; checked again here because this is what stands between a client and git's argv.
    const valid = options.commitOnly ? /^[0-9a-f]{4,40}$/.test(ref) : GitRef.safeParse(ref).success;
    if (!valid)
      throw errors.validation(`${field}: not a valid ${options.commitOnly ? 'commit hash' : 'ref'}`, { field });
    let sha: string | undefined;
    try {
      sha = await this.readGit(view, () =>
        options.commitOnly ? this.store.resolveCommit(view, ref) : this.store.resolve(view, ref),
      );
    } catch (err) {
      if (err instanceof AmbiguousRef) {
        throw errors.validation(`${field}: "${ref}" matches several objects; give more of the hash`, { field });
      }
      throw err;
    }
    if (!sha) throw errors.notFound(`commit "${ref}"`);
    return sha;
  }

  /**
   * Runs a git read: one that met a damaged object queues a repair (503 repo_repairing), one that ran out of time
   * answers 503 (retryable), one whose listing is too large 413.
   */
  private async readGit<T>(mirror: Mirror, read: () => Promise<T>): Promise<T> {
    try {
      return await this.repo.repairing(mirror.project, read);
    } catch (err) {
      if (err instanceof GitError && err.timedOut) {
        this.logger.warn({ args: err.args.slice(0, 2) }, 'history read timed out');
        throw errors.serviceUnavailable('git took too long to answer this history request; try a narrower one.');
      }
      if (err instanceof GitError && err.stderr === 'output over the size limit') {
        throw errors.payloadTooLarge('This change touches too many files to list; compare commits closer together.');
      }
      throw err;
    }
  }
}

/** About how many bytes a page of commits holds in memory. */
function commitsBytes(commits: Commit[]): number {
  let bytes = 64;
  for (const c of commits) {
    bytes += 2 * (c.subject.length + c.body.length + c.author.name.length + c.author.email.length) + 400;
  }
  return bytes;
}
