import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  errors,
  type CredentialStatus,
  type Manifest,
  type RepoFile,
  type SetCredentialBody,
  type Sync,
  type SyncErrorCode,
  type Tree,
} from '@hivesync/core';
import type { Database, Tx } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { SecretBox } from '../../infra/secrets.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService, NotifyInput } from '../notifications/notifications.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { ProjectWithRole } from '../projects/projects.repository.js';
import {
  MirrorDamaged,
  type MirrorStore,
  SyncFailure,
  type MirrorView,
  type RepoCredential,
} from './mirror.repository.js';
import { normalizeRepoPath } from './repo-path.js';
import { RepoRepository, type SyncRow } from './repo.repository.js';
import type { AuditService } from '../audit/audit.service.js';

/** Queue name of repository syncs. */
export const SYNC_QUEUE = 'repo-sync';

const RETRYABLE: SyncErrorCode[] = ['repo_network_error', 'timeout'];

export interface RepoServiceDeps {
  db: Database;
  queue: Queue;
  projects: ProjectsService;
  notifications: NotificationsService;
  mirrors: MirrorStore;
  secrets: SecretBox;
  logger: Logger;
  options: {
    maxFileBytes: number;
    syncRetryLimit: number;
    /** Bytes of manifests kept in memory. */
    searchCacheBytes: number;
  };
  audit: AuditService;
  observeSync?: (outcome: 'completed' | 'failed', seconds: number) => void;
}

/** Repository mirrors: starting and running syncs, and the reads (tree, file, manifest) over a mirror; search is CodeSearchService. */
export class RepoService {
  readonly repo: RepoRepository;
  /** Called after each successful sync with the new commit (threads are repositioned there). */
  onSynced: ((projectId: string, commit: string) => Promise<void>) | undefined;
  /** Called when a sync has brought a commit, before it completes: indexes the commit for search (never throws). */
  indexSynced: ((projectId: string, commit: string, log: Logger) => Promise<void>) | undefined;
  // Manifests at a commit never change, so they are kept; bounded by their size in memory, not by their number.
  private readonly manifests: LRUCache<string, Manifest>;

  private readonly db: Database;
  private readonly queue: Queue;
  private readonly projects: ProjectsService;
  private readonly notifications: NotificationsService;
  readonly mirrors: MirrorStore;
  private readonly secrets: SecretBox;
  private readonly logger: Logger;
  private readonly options: RepoServiceDeps['options'];
  private readonly audit: AuditService;
  private readonly observeSync: NonNullable<RepoServiceDeps['observeSync']>;

  constructor(deps: RepoServiceDeps) {
    const {
      db,
      queue,
      projects,
      notifications,
      mirrors,
      secrets,
      logger,
      options,
      audit,
      observeSync = () => undefined,
    } = deps;
    this.db = db;
    this.queue = queue;
    this.projects = projects;
    this.notifications = notifications;
    this.mirrors = mirrors;
    this.secrets = secrets;
    this.logger = logger;
    this.options = options;
    this.audit = audit;
    this.observeSync = observeSync;
    this.repo = new RepoRepository(db.orm);
    this.manifests = new LRUCache({ maxSize: options.searchCacheBytes, sizeCalculation: manifestBytes });
  }

  // ---- syncs ----

  /** Queues a sync (member role), or returns the one already queued or running for the project. */
  async startSync(auth: AuthContext, projectId: string): Promise<Sync> {
    const project = await this.projects.requireProjectRole(auth, projectId, 'member');
    const sync = await this.enqueueSync(project.id, project.repoUrl, auth.userId, 'manual');
    await this.audit.record({
      actorId: auth.userId,
      action: 'repo.sync_requested',
      target: { type: 'sync', id: sync.id },
      projectId,
      ip: auth.ip,
    });
    return toSync(sync);
  }

  /**
   * Queues a scheduled sync for every project that is due one (its interval has passed since its last sync started
   * and none is active).
   */
  async startDueSyncs(now: Date): Promise<void> {
    for (const id of await this.repo.projectsDueForSync(now)) await this.startScheduledSync(id);
  }

  /** Queues a scheduled sync for a project, unless one is active. */
  async startScheduledSync(projectId: string): Promise<void> {
    const project = await this.repo.findProject(projectId);
    if (project) await this.enqueueSync(project.id, project.repoUrl, null, 'schedule');
  }

  private async enqueueSync(
    projectId: string,
    repoUrl: string | null,
    requestedBy: string | null,
    trigger: 'manual' | 'schedule',
  ): Promise<SyncRow> {
    if (!repoUrl) throw errors.conflict('This project has no repository URL; set repo_url first.');
    const active = await this.repo.findActiveSync(projectId);
    if (active && !(await this.orphaned(active))) return active;
    if (active) {
      // Its job is gone (dead-lettered or lost): close it so that a new one can start.
      await this.repo.updateSync(active.id, {
        status: 'failed',
        errorCode: 'internal_error',
        errorMessage: 'The worker running this sync stopped; a new sync was started.',
        finishedAt: new Date(),
      });
    }
    const row = await this.db.transaction(async (tx) => {
      const id = crypto.randomUUID();
      const inserted = await this.repo.insertSync(tx.orm, { id, projectId, requestedBy, trigger, status: 'queued' });
      if (!inserted) return undefined;
      const jobId = await this.queue.send(SYNC_QUEUE, { sync_id: id }, tx, { singletonKey: projectId });
      await this.repo.setJobId(tx.orm, id, jobId);
      if (requestedBy) tx.afterCommit(() => this.notifications.pollStateChanged(requestedBy));
      return { ...inserted, jobId };
    });
    if (row) await this.progress(row);
    // Lost a race with a concurrent request: theirs is the sync.
    return row ?? (await this.repo.findActiveSync(projectId))!;
  }

  /** Whether an active sync's job no longer exists or has already ended. */
  private async orphaned(sync: SyncRow): Promise<boolean> {
    if (!sync.jobId) return false;
    const job = await this.queue.jobState(SYNC_QUEUE, sync.jobId);
    return job === null || ['completed', 'failed', 'cancelled'].includes(job.state);
  }

  async getSync(auth: AuthContext, syncId: string): Promise<Sync> {
    const row = await this.repo.findSync(syncId);
    if (!row) throw errors.notFound('sync');
    await this.projects.requireProjectRole(auth, row.projectId, 'viewer');
    return toSync(row);
  }

  async listSyncs(auth: AuthContext, projectId: string, limit: number): Promise<Sync[]> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    return (await this.repo.listSyncs(projectId, limit)).map(toSync);
  }

  /**
   * Runs one attempt of a sync (the worker side). A network failure is retried once at once; after that it is
   * thrown back to the queue for a delayed retry, unless this was the last attempt. Other failures are final.
   */
  async runSync(syncId: string, attempt: number, workerLog: Logger): Promise<void> {
    const sync = await this.repo.findSync(syncId);
    if (!sync || sync.status === 'completed' || sync.status === 'failed') return;
    const project = await this.repo.findProject(sync.projectId);
    if (!project?.repoUrl) {
      await this.finish(sync, { code: 'repo_not_found', message: 'The project has no repository URL.' });
      return;
    }
    const started = new Date();
    // Who sees this sync's stages live (sync_progress on their event streams): read once per attempt.
    const members = await this.projects.memberIds(sync.projectId).catch(() => []);
    await this.progress(
      await this.repo.updateSync(sync.id, {
        status: 'running',
        attempts: sync.attempts + 1,
        startedAt: sync.startedAt ?? started,
      }),
      members,
    );
    if (sync.attempts === 0) await this.notifySync(sync, 'repo_sync_started', { sync_id: sync.id });
    const remote = {
      url: project.repoUrl,
      branch: project.branch,
      followsDefaultBranch: project.followsDefaultBranch,
      credential: this.credentialOf(project.credentialCiphertext),
    };
    const onStage = async (stage: 'running' | 'updating_files' | 'cleaning' | 'finalizing') => {
      await this.progress(await this.repo.updateSync(sync.id, { status: stage }), members);
    };
    try {
      let result: { commit: string; recloned: boolean; branch: string };
      try {
        result = await this.mirrors.sync(project.id, remote, onStage);
      } catch (err) {
        if (!(err instanceof SyncFailure) || err.code !== 'repo_network_error') throw err;
        workerLog.info({ sync_id: sync.id }, 'network error; retrying the sync at once');
        result = await this.mirrors.sync(project.id, remote, onStage);
      }
      // The new commit's search index (only its new blobs), so that a completed sync is searchable.
      await this.indexSynced?.(project.id, result.commit, workerLog);
      const finished = new Date();
      this.observeSync('completed', (finished.getTime() - started.getTime()) / 1000);
      workerLog.debug({ sync_id: sync.id, ms: finished.getTime() - started.getTime() }, 'sync work done');
      const previous = await this.repo.lastFinishedSync(project.id, sync.id);
      const userIds = await this.syncRecipients(sync);
      // The end state and its notification land together: whoever sees `completed` finds the notification too.
      await this.db.transaction(async (tx) => {
        await this.repo.updateSync(
          sync.id,
          {
            status: 'completed',
            commit: result.commit,
            finishedAt: finished,
            durationMs: finished.getTime() - started.getTime(),
            errorCode: null,
            errorMessage: null,
          },
          tx.orm,
        );
        await this.repo.markProjectSynced(project.id, result.commit, finished, result.branch, tx.orm);
        if (sync.trigger === 'manual' || previous?.status === 'failed') {
          await this.notifySync(
            sync,
            'repo_sync_success',
            { sync_id: sync.id, commit: result.commit },
            { tx, userIds },
          );
        }
      });
      await this.progress(await this.repo.findSync(sync.id), members);
      workerLog.info({ sync_id: sync.id, commit: result.commit, recloned: result.recloned }, 'sync completed');
      await this.onSynced?.(project.id, result.commit).catch((err: Error) =>
        workerLog.warn({ sync_id: sync.id, err: { message: err.message } }, 'after-sync work failed'),
      );
      // Off the sync's path: bring a spare worktree up to date so that the next sync only checks out its own changes.
      await this.mirrors
        .catchUp(project.id)
        .catch((err: Error) =>
          workerLog.warn({ sync_id: sync.id, err: { message: err.message } }, 'worktree catch-up failed'),
        );
    } catch (err) {
      this.observeSync('failed', (Date.now() - started.getTime()) / 1000);
      const failure =
        err instanceof SyncFailure
          ? err
          : new SyncFailure('internal_error', 'The sync failed unexpectedly; see the server log.');
      if (!(err instanceof SyncFailure)) workerLog.error({ err, sync_id: sync.id }, 'sync failed unexpectedly');
      const retryable = RETRYABLE.includes(failure.code) || failure.code === 'internal_error';
      if (retryable && attempt <= this.options.syncRetryLimit) {
        await this.progress(
          await this.repo.updateSync(sync.id, {
            status: 'queued',
            errorCode: failure.code,
            errorMessage: failure.message,
          }),
          members,
        );
        throw failure; // the queue retries it after a delay
      }
      await this.finish(
        { ...sync, startedAt: sync.startedAt ?? started },
        { code: failure.code, message: failure.message },
      );
    } finally {
      if (sync.requestedBy) await this.notifications.pollStateChanged(sync.requestedBy);
    }
  }

  /**
   * Ends a sync whose job the queue gave up on outside runSync's own bookkeeping (its last attempt threw, or its
   * worker died on it), so it reads `failed` with the reason instead of staying queued. A finished sync is left as is.
   */
  async abandonSync(syncId: string, reason: string): Promise<void> {
    const sync = await this.repo.findSync(syncId);
    if (!sync || sync.status === 'completed' || sync.status === 'failed') return;
    await this.finish(sync, { code: 'internal_error', message: `The sync could not run: ${reason}` });
    if (sync.requestedBy) await this.notifications.pollStateChanged(sync.requestedBy);
  }

  private async finish(sync: SyncRow, error: { code: string; message: string }): Promise<void> {
    const finished = new Date();
    const userIds = await this.syncRecipients(sync);
    // One transaction, so whoever sees `failed` finds the notification too.
    await this.db.transaction(async (tx) => {
      await this.repo.updateSync(
        sync.id,
        {
          status: 'failed',
          errorCode: error.code,
          errorMessage: error.message,
          finishedAt: finished,
          durationMs: sync.startedAt ? finished.getTime() - sync.startedAt.getTime() : null,
        },
        tx.orm,
      );
      await this.notifySync(
        sync,
        'repo_sync_failed',
        { sync_id: sync.id, commit: null, error_code: error.code },
        { tx, userIds },
      );
    });
    await this.progress(await this.repo.findSync(sync.id));
  }

  /**
   * Tells the project's members' open event streams where a sync is (`sync_progress`, not stored): the web app
   * shows the stages from it instead of polling. Best effort: a failure here never fails the sync.
   */
  private async progress(row: SyncRow | undefined, members?: string[]): Promise<void> {
    if (!row) return;
    try {
      const userIds = members ?? (await this.projects.memberIds(row.projectId));
      await this.notifications.publishLive(userIds, 'sync_progress', toSync(row));
    } catch (err) {
      this.logger.warn({ sync_id: row.id, err: { message: (err as Error).message } }, 'sync_progress not published');
    }
  }

  /** Manual syncs notify who asked; scheduled ones notify every member (failures and recoveries only). */
  private async notifySync(
    sync: SyncRow,
    type: NotifyInput['type'],
    payload: Record<string, unknown>,
    inTx?: { tx: Tx; userIds: string[] },
  ): Promise<void> {
    if (sync.trigger === 'schedule' && type === 'repo_sync_started') return;
    const userIds = inTx?.userIds ?? (await this.syncRecipients(sync));
    await this.notifications.notify({ userIds, projectId: sync.projectId, type, payload }, inTx?.tx);
  }

  /** Read before a transaction opens: the embedded database runs one statement at a time, so none may wait inside. */
  private async syncRecipients(sync: SyncRow): Promise<string[]> {
    return sync.requestedBy ? [sync.requestedBy] : this.projects.memberIds(sync.projectId);
  }

  private credentialOf(ciphertext: string | null): RepoCredential | undefined {
    return ciphertext ? (JSON.parse(this.secrets.open(ciphertext)) as RepoCredential) : undefined;
  }

  // ---- credentials ----

  async setCredential(auth: AuthContext, projectId: string, body: SetCredentialBody): Promise<CredentialStatus> {
    await this.projects.requireProjectRole(auth, projectId, 'admin');
    await this.repo.setCredential(projectId, {
      type: body.type,
      ciphertext: this.secrets.seal(JSON.stringify(body)),
      setBy: auth.userId,
    });
    await this.audit.record({
      actorId: auth.userId,
      action: 'repo.credential_set',
      projectId,
      ip: auth.ip,
      details: { type: body.type },
    });
    return { credential: 'set', type: body.type };
  }

  async deleteCredential(auth: AuthContext, projectId: string): Promise<void> {
    await this.projects.requireProjectRole(auth, projectId, 'admin');
    await this.repo.setCredential(projectId, null);
    await this.audit.record({ actorId: auth.userId, action: 'repo.credential_removed', projectId, ip: auth.ip });
  }

  async credentialStatus(auth: AuthContext, projectId: string): Promise<CredentialStatus> {
    const project = await this.projects.requireProjectRole(auth, projectId, 'viewer');
    return { credential: project.credentialType ? 'set' : 'not set', type: project.credentialType };
  }

  // ---- reads ----

  /** The served mirror and the commit to read at (the given one, which must exist, or the mirror's). */
  private async view(
    auth: AuthContext,
    projectId: string,
    commit?: string,
  ): Promise<{ view: MirrorView; commit: string; project: ProjectWithRole }> {
    const project = await this.projects.requireProjectRole(auth, projectId, 'viewer');
    const view = await this.mirrors.current(project.id);
    if (!view) throw errors.repoNotSynced();
    if (commit && commit !== view.commit && !(await this.mirrors.hasCommit(view, commit))) {
      throw errors.notFound('commit');
    }
    return { view, commit: commit ?? view.commit, project };
  }

  async tree(
    auth: AuthContext,
    query: { project_id: string; path?: string; recursive?: boolean; commit?: string },
  ): Promise<Tree> {
    const dir = normalizeRepoPath(query.path);
    const { view, commit, project } = await this.view(auth, query.project_id, query.commit);
    return this.repairing(project, async () => {
      // ls-tree -r -t also lists the directories leading to `dir`: keep only what is inside it.
      const entries = (await this.mirrors.lsTree(view, commit, dir, query.recursive === true)).filter(
        (e) => dir === '' || e.path.startsWith(`${dir}/`),
      );
      if (dir !== '' && entries.length === 0) {
        const self = await this.mirrors.entry(view, commit, dir);
        if (!self || self.mode === '120000' || self.type === 'commit') throw errors.notFound('directory');
        if (self.type === 'blob') throw errors.validation(`path: "${dir}" is a file; use /repo/file to read it.`);
      }
      return {
        commit,
        path: dir,
        entries: entries.map((e) =>
          e.type === 'tree'
            ? { path: e.path, type: 'dir' as const }
            : { path: e.path, type: 'file' as const, size: e.size, hash: e.hash },
        ),
      };
    });
  }

  /**
   * Runs a read of the mirror's objects. A damaged object (git found it corrupt or missing) queues a repair sync,
   * which re-clones the mirror, and answers 503 repo_repairing meanwhile instead of 500. Also used by the history.
   */
  async repairing<T>(project: ProjectWithRole, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (!(err instanceof MirrorDamaged)) throw err;
      this.logger.warn({ project_id: project.id, err: { message: err.message } }, 'mirror damaged; repair queued');
      if (!project.repoUrl) {
        throw errors.serviceUnavailable(
          'The mirror is damaged and the project has no repository URL to repair it from.',
        );
      }
      const sync = await this.enqueueSync(project.id, project.repoUrl, null, 'schedule');
      throw errors.repoRepairing(sync.id);
    }
  }

  async file(auth: AuthContext, query: { project_id: string; path: string; commit?: string }): Promise<RepoFile> {
    const filePath = normalizeRepoPath(query.path);
    if (filePath === '') throw errors.validation('path: name a file');
    const { view, commit, project } = await this.view(auth, query.project_id, query.commit);
    return this.repairing(project, () => this.readFile(view, commit, filePath));
  }

  private async readFile(view: MirrorView, commit: string, filePath: string): Promise<RepoFile> {
    const entry = await this.mirrors.entry(view, commit, filePath);
    if (!entry) throw errors.notFound('file');
    if (entry.mode === '120000')
      throw errors.validation(`path: "${filePath}" is a symbolic link; links are not served.`);
    if (entry.type === 'commit')
      throw errors.validation(`path: "${filePath}" is a submodule; submodules are not served.`);
    if (entry.type === 'tree') throw errors.validation(`path: "${filePath}" is a directory; use /repo/tree.`);
    const size = entry.size ?? 0;
    if (size > this.options.maxFileBytes) {
      throw errors.payloadTooLarge(
        `"${filePath}" is ${size} bytes, above the ${this.options.maxFileBytes}-byte limit for reading files (HIVESYNC_MAX_FILE_BYTES).`,
      );
    }
    const bytes = await this.mirrors.readBlob(view, entry.hash, this.options.maxFileBytes);
    const text = decodeText(bytes);
    return {
      commit,
      path: filePath,
      size,
      hash: entry.hash,
      encoding: text === undefined ? 'base64' : 'utf8',
      content: text ?? bytes.toString('base64'),
    };
  }

  async manifest(auth: AuthContext, projectId: string): Promise<Manifest> {
    const { view, commit, project } = await this.view(auth, projectId);
    const key = `${view.gitDir}:${commit}`;
    const cached = this.manifests.get(key);
    if (cached) return { ...cached, project_id: project.id };
    const files = (await this.repairing(project, () => this.mirrors.listFiles(view, commit)))
      .map((f) => ({ path: f.path, size: f.size ?? 0, hash: f.hash }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const hash = crypto.createHash('sha256');
    for (const f of files) hash.update(`${f.path}\0${f.hash}\n`);
    const manifest = { project_id: project.id, commit, hash: hash.digest('hex'), files };
    this.manifests.set(key, manifest);
    return manifest;
  }
}

/** The API's view of a sync row. */
export function toSync(row: SyncRow): Sync {
  return {
    sync_id: row.id,
    project_id: row.projectId,
    status: row.status,
    trigger: row.trigger,
    commit: row.commit,
    attempts: row.attempts,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt ? row.startedAt.toISOString() : null,
    finished_at: row.finishedAt ? row.finishedAt.toISOString() : null,
    duration_ms: row.durationMs,
    error: row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : null,
  };
}

/** UTF-8 text, or undefined when the bytes are binary (a NUL byte, or not valid UTF-8). */
function decodeText(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  try {
    // ignoreBOM keeps a byte-order mark in the text: the content must be the file's bytes exactly.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** About how many bytes a manifest holds in memory. */
function manifestBytes(manifest: Manifest): number {
  let bytes = 256;
  for (const f of manifest.files) bytes += 2 * (f.path.length + f.hash.length) + 96;
  return bytes;
}
