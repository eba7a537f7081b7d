import crypto from 'node:crypto';
import type { AiProvider, DocTarget, Edit, FileSet } from '@hivesync/ai';
import {
  AI_JOB_PAGE_DEFAULT,
  AiAction,
  errors,
  type AiCapabilities,
  type AiJob,
  type AiJobList,
  type CreateAiJobBody,
  type Diff,
  type Suggestion,
  type SuggestionState,
} from '@hivesync/core';
import type { Database, Tx } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService, NotifyInput } from '../notifications/notifications.service.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { MirrorStore, MirrorView } from '../repo/mirror.repository.js';
import { normalizeRepoPath } from '../repo/repo-path.js';
import { AiRepository, type JobKey, type JobRow, type SuggestionRow } from './ai.repository.js';
import { AiProviderError, OpenAiProvider, type OpenAiSettings } from './openai.provider.js';
import { suggestionDiff } from './suggestion-diff.js';

/** Queue name of AI jobs. */
export const AI_QUEUE = 'ai-job';

const MOVES: Record<string, SuggestionState[]> = {
  proposed: ['approved', 'rejected'],
  approved: ['applied'],
  applied: ['reverted'],
};
const TS_FILE = /\.(c|m)?(t|j)sx?$/;
const PROJECT_FILE = /(^|\/)(tsconfig[^/]*\.json|package\.json)$/;
const MAX_FILE = 1024 * 1024;
/**
 * The most JS/TS source a job reads for the whole project (the TypeScript program over it takes ~10 times as much
 * memory). Over it a rename is refused (`project_too_large`) rather than run on part of the project.
 */
const MAX_PROJECT_BYTES = 32 * 1024 * 1024;

export interface AiServiceDeps {
  db: Database;
  queue: Queue;
  projects: ProjectsService;
  mirrors: MirrorStore;
  notifications: NotificationsService;
  audit: AuditService;
  logger: Logger;
  settings: { provider: 'local' | 'openai' } & OpenAiSettings;
}

/**
 * AI jobs and the suggestions they produce. Nothing here changes a mirror or anyone's files: a job reads the mirror
 * at the commit recorded when it was created, and proposes a patch; people approve it, apply it locally, report it.
 */
export class AiService {
  private provider: Promise<AiProvider & { refactor?: OpenAiProvider['refactor'] }> | undefined;
  private readonly repo: AiRepository;

  private readonly db: Database;
  private readonly queue: Queue;
  private readonly projects: ProjectsService;
  private readonly mirrors: MirrorStore;
  private readonly notifications: NotificationsService;
  private readonly audit: AuditService;
  private readonly logger: Logger;
  private readonly settings: AiServiceDeps['settings'];

  constructor(deps: AiServiceDeps) {
    const { db, queue, projects, mirrors, notifications, audit, logger, settings } = deps;
    this.db = db;
    this.queue = queue;
    this.projects = projects;
    this.mirrors = mirrors;
    this.notifications = notifications;
    this.audit = audit;
    this.logger = logger;
    this.settings = settings;
    this.repo = new AiRepository(db.orm);
  }

  /** The configured provider, loaded on first use (the TypeScript analysis is heavy; idle servers never load it). */
  private async getProvider() {
    this.provider ??= import('@hivesync/ai').then(({ LocalProvider }) => {
      const local = new LocalProvider();
      return this.settings.provider === 'openai' ? new OpenAiProvider(local, this.settings) : local;
    });
    return this.provider;
  }

  async create(auth: AuthContext, body: CreateAiJobBody): Promise<AiJob> {
    const project = await this.projects.requireProjectRole(auth, body.project_id, 'member');
    const path = body.path ? normalizeRepoPath(body.path) : undefined;
    if (body.action !== 'refactor' && !path) throw errors.validation(`path: ${body.action} needs a file.`);
    if (body.action === 'document_function' && !body.range && !body.symbol)
      throw errors.validation('range: name the function by range or symbol.');
    if (body.action === 'rename_symbol' && (!body.new_name || !body.symbol))
      throw errors.validation('new_name: rename_symbol needs symbol and new_name.');
    if (body.action === 'refactor') {
      if (!body.instructions) throw errors.validation('instructions: refactor needs instructions.');
      if (this.settings.provider !== 'openai')
        throw errors.validation('action: refactor needs a language model (HIVESYNC_AI_PROVIDER=openai).');
    }
    const view = await this.mirrors.current(project.id);
    if (!view) throw errors.repoNotSynced();
    const id = crypto.randomUUID();
    const row = await this.db.transaction(async (tx) => {
      const inserted = await this.repo.insertJob(tx.orm, {
        id,
        projectId: project.id,
        requestedBy: auth.userId,
        action: body.action,
        params: { ...body, path },
        status: 'queued',
        commit: view.commit,
      });
      await this.queue.send(AI_QUEUE, { ai_job_id: id }, tx);
      tx.afterCommit(() => this.notifications.pollStateChanged(auth.userId));
      return inserted;
    });
    await this.notify(row, 'ai_job_queued');
    return toJob(row, []);
  }

  /** Which actions the configured provider runs (any signed-in caller may ask: it names no project). */
  capabilities(): AiCapabilities {
    const provider = this.settings.provider;
    return { provider, actions: AiAction.options.filter((a) => a !== 'refactor' || provider === 'openai') };
  }

  /** A page of a project's jobs, newest first, each with its suggestions. */
  async list(auth: AuthContext, projectId: string, page: { limit?: number; cursor?: string } = {}): Promise<AiJobList> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    const limit = page.limit ?? AI_JOB_PAGE_DEFAULT;
    const after = page.cursor === undefined ? undefined : decodeJobCursor(page.cursor);
    const rows = await this.repo.listJobs(projectId, limit + 1, after);
    const shown = rows.slice(0, limit);
    const sugg = await this.suggestionsOf(shown.map((r) => r.id));
    return {
      jobs: shown.map((r) =>
        toJob(
          r,
          sugg.filter((s) => s.job_id === r.id),
        ),
      ),
      next_cursor: rows.length > limit ? encodeJobCursor(shown.at(-1)!.key) : null,
    };
  }

  async get(auth: AuthContext, jobId: string): Promise<AiJob> {
    const row = await this.repo.findJob(jobId);
    if (!row) throw errors.notFound('AI job');
    await this.projects.requireProjectRole(auth, row.projectId, 'viewer');
    return toJob(row, await this.suggestionsOf([row.id]));
  }

  async listSuggestions(
    auth: AuthContext,
    projectId: string,
    state: SuggestionState | undefined,
  ): Promise<Suggestion[]> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    return this.suggestionsById(await this.repo.listSuggestionIds(projectId, state, 200));
  }

  async getSuggestion(auth: AuthContext, id: string): Promise<Suggestion> {
    const row = await this.findSuggestion(id);
    await this.projects.requireProjectRole(auth, row.projectId, 'viewer');
    return (await this.suggestionsById([id]))[0]!;
  }

  /** A suggestion's patch as files, hunks and numbered lines, on its job's commit. */
  async getSuggestionDiff(auth: AuthContext, id: string): Promise<Diff> {
    const row = await this.findSuggestion(id);
    await this.projects.requireProjectRole(auth, row.projectId, 'viewer');
    const job = await this.repo.findJob(row.jobId);
    return suggestionDiff(row.patch ?? '', job!.commit);
  }

  /** Moves a suggestion along proposed → approved|rejected, approved → applied → reverted; anything else is 409. */
  async move(auth: AuthContext, id: string, to: SuggestionState, comment?: string): Promise<Suggestion> {
    const row = await this.findSuggestion(id);
    await this.projects.requireProjectRole(auth, row.projectId, 'member');
    if (!(MOVES[row.state] ?? []).includes(to)) {
      throw errors.conflict(`A ${row.state} suggestion cannot become ${to}.`, {
        state: row.state,
        allowed: MOVES[row.state] ?? [],
      });
    }
    await this.db.transaction(async (tx) => {
      const move = { from: row.state, to, actorId: auth.userId, comment: comment || null };
      if (!(await this.repo.moveSuggestion(tx.orm, id, move))) {
        throw errors.conflict('The suggestion changed meanwhile; reload it.');
      }
      await this.audit.record(
        {
          actorId: auth.userId,
          action: `suggestion.${to}`,
          target: { type: 'suggestion', id },
          projectId: row.projectId,
          ip: auth.ip,
          ...(move.comment && { details: { comment: move.comment } }),
        },
        tx.orm,
      );
    });
    return (await this.suggestionsById([id]))[0]!;
  }

  /** Runs one attempt of a job (worker side). Refusals of the analysis fail the job at once; a crash is retried. */
  async run(jobId: string, attempt: number, log: Logger, retryLimit = Infinity): Promise<void> {
    const job = await this.repo.findJob(jobId);
    if (!job || job.status === 'completed' || job.status === 'failed') return;
    await this.repo.startJob(jobId, job.startedAt ?? new Date());
    if (attempt === 1) await this.notify(job, 'ai_job_started');
    const p = job.params as CreateAiJobBody & { path?: string };
    try {
      const provider = await this.getProvider();
      const view = await this.mirrors.current(job.projectId);
      if (!view) throw new AiProviderError('The repository mirror is gone; sync the project again.');
      const read = (files?: FileSet) => this.readFiles(view, job.commit, p.path, job.action, files);
      let edits: Edit[] = [];
      let result: Record<string, unknown> | null = null;
      let message: string | null = null;
      switch (job.action) {
        case 'document_function':
        case 'document_file': {
          const target: DocTarget | undefined =
            job.action === 'document_file'
              ? undefined
              : p.range
                ? { startLine: p.range.start_line, endLine: p.range.end_line }
                : { symbol: p.symbol! };
          // A documented function is told from its file alone, in milliseconds; the rest of the project (every
          // JS/TS file, seconds to read and parse) is read only when there is a comment to write.
          const file = await this.readFiles(view, job.commit, p.path, 'file');
          message = (await provider.nothingToDocument(file, p.path!, target)) ?? null;
          if (message) break;
          const files = await read(file);
          const edit = target
            ? await provider.documentFunction(files, p.path!, target)
            : await provider.documentFile(files, p.path!);
          if (edit.before === edit.after) message = edit.description;
          else edits = [edit];
          break;
        }
        case 'summarize_file':
          result = { ...(await provider.summarizeFile(await read(), p.path!)) };
          break;
        case 'rename_symbol': {
          const files = await read();
          edits = await provider.renameSymbol(
            files,
            p.path!,
            p.range?.start_line ?? declarationLine(files.get(p.path!) ?? '', p.symbol!),
            p.symbol!,
            p.new_name!,
          );
          break;
        }
        case 'refactor': {
          if (!provider.refactor) throw new AiProviderError('refactor needs a language model provider.');
          const files = await read();
          const focus = p.path ? [p.path] : [...files.keys()].slice(0, 20);
          const { buildContext } = await import('@hivesync/ai');
          const manifest = (await this.mirrors.listFiles(view, job.commit)).map((f) => ({
            path: f.path,
            size: f.size ?? 0,
          }));
          edits = await provider.refactor(
            files,
            focus,
            p.instructions!,
            await buildContext(files, manifest, focus, 60_000),
          );
          break;
        }
      }
      const { unifiedDiff } = await import('@hivesync/ai');
      await this.db.transaction(async (tx) => {
        if (edits.length > 0) {
          await this.repo.insertSuggestion(tx.orm, {
            id: crypto.randomUUID(),
            jobId,
            projectId: job.projectId,
            description: edits[0]!.description,
            files: edits.map((e) => e.path),
            patch: unifiedDiff(edits),
            state: 'proposed',
          });
        }
        await this.repo.completeJob(tx.orm, jobId, { result, message });
        // In the same transaction: whoever sees `completed` finds the notification too.
        await this.notify(job, 'ai_job_completed', { suggestions: edits.length > 0 ? 1 : 0 }, tx);
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      const known = err instanceof AiProviderError || (err as Error).name === 'AiError';
      if (!known) log.error({ err, ai_job_id: jobId }, 'AI job failed unexpectedly');
      if (!known && attempt <= retryLimit) throw err; // retried by the queue
      const errorCode = known ? (code ?? 'ai_provider_error') : 'internal_error';
      await this.db.transaction(async (tx) => {
        await this.repo.failJob(tx.orm, jobId, {
          errorCode,
          errorMessage: known ? (err as Error).message : 'The job failed on every attempt; see the server log.',
        });
        await this.notify(job, 'ai_job_failed', { error_code: errorCode }, tx);
      });
    } finally {
      if (job.requestedBy) await this.notifications.pollStateChanged(job.requestedBy);
    }
  }

  /**
   * Ends an AI job whose queue job was given up on outside `run`'s own bookkeeping (its last attempt threw, or its
   * worker died on it), so it reads `failed` with the reason instead of staying queued. A finished job is left as is.
   */
  async abandon(jobId: string, reason: string): Promise<void> {
    const job = await this.db.transaction(async (tx) => {
      const failed = await this.repo.failUnfinishedJob(tx.orm, jobId, {
        errorCode: 'internal_error',
        errorMessage: `The job could not run: ${reason}`,
      });
      if (failed) await this.notify(failed, 'ai_job_failed', { error_code: 'internal_error' }, tx);
      return failed;
    });
    if (job?.requestedBy) await this.notifications.pollStateChanged(job.requestedBy);
  }

  /**
   * The files a job needs, read from the mirror at the job's commit: the file alone (`scope` 'file'), or for TS/JS
   * analysis, renames and refactors every JS/TS file too (outside node_modules and dist), all of them: a rename over
   * part of a project would miss references and look complete. Their blobs come through one `git cat-file --batch`.
   * Over MAX_PROJECT_BYTES a rename (or a refactor without a file) is refused with `project_too_large`; the other
   * actions read the file alone.
   * `known` files are reused.
   */
  private async readFiles(
    view: MirrorView,
    commit: string,
    path: string | undefined,
    scope: string,
    known: FileSet = new Map(),
  ): Promise<FileSet> {
    const files = new Map(known);
    const wantAll =
      scope !== 'file' &&
      (scope === 'rename_symbol' || scope === 'refactor' || (path !== undefined && TS_FILE.test(path)));
    if (wantAll) {
      const wanted = (await this.mirrors.listFiles(view, commit)).filter(
        (f) =>
          (TS_FILE.test(f.path) || PROJECT_FILE.test(f.path)) &&
          !/(^|\/)(node_modules|dist)\//.test(f.path) &&
          !files.has(f.path),
      );
      const bytes = wanted.reduce((sum, f) => sum + (f.size ?? MAX_FILE), 0);
      if (bytes <= MAX_PROJECT_BYTES) {
        const texts = await this.mirrors.readBlobs(
          view,
          wanted.map((f) => f.hash),
          bytes,
        );
        wanted.forEach((f, i) => files.set(f.path, texts[i]!.toString('utf8')));
      } else if (scope === 'rename_symbol' || (scope === 'refactor' && !path)) {
        const mb = (n: number) => `${Math.ceil(n / 1024 / 1024)} MB`;
        throw aiRefusal(
          'project_too_large',
          `The project's ${wanted.length} JS/TS files hold ${mb(bytes)}, over the ${mb(MAX_PROJECT_BYTES)} a job reads; working on part of them could miss references, so nothing is proposed.`,
        );
      }
    }
    if (path && !files.has(path)) {
      const bytes = await this.mirrors.readAt(view, commit, path, MAX_FILE);
      if (bytes) files.set(path, bytes.toString('utf8'));
    }
    if (path && !files.has(path))
      throw aiRefusal('file_not_found', `There is no file "${path}" at ${commit.slice(0, 7)}.`);
    return files;
  }

  private async findSuggestion(id: string): Promise<SuggestionRow> {
    const row = await this.repo.findSuggestion(id);
    if (!row) throw errors.notFound('suggestion');
    return row;
  }

  private async suggestionsOf(jobIds: string[]): Promise<Suggestion[]> {
    if (jobIds.length === 0) return [];
    return this.suggestionsById(await this.repo.suggestionIdsOfJobs(jobIds));
  }

  private async suggestionsById(ids: string[]): Promise<Suggestion[]> {
    if (ids.length === 0) return [];
    const rows = await this.repo.listSuggestions(ids);
    const events = await this.repo.listEvents(ids);
    return rows.map((r) => ({
      id: r.id,
      job_id: r.jobId,
      description: r.description,
      files: r.files,
      patch: r.patch ?? '',
      state: r.state,
      created_at: r.createdAt.toISOString(),
      history: events
        .filter((e) => e.suggestionId === r.id)
        .map((e) => ({
          from: e.fromState as SuggestionState,
          to: e.toState as SuggestionState,
          by: e.actorId,
          at: e.at.toISOString(),
          comment: e.comment,
        })),
    }));
  }

  private async notify(job: JobRow, type: NotifyInput['type'], extra: Record<string, unknown> = {}, tx?: Tx) {
    if (!job.requestedBy) return;
    await this.notifications.notify(
      {
        userIds: [job.requestedBy],
        projectId: job.projectId,
        type,
        payload: { job_id: job.id, action: job.action, ...extra },
      },
      tx,
    );
  }
}

function toJob(r: JobRow, sugg: Suggestion[]): AiJob {
  return {
    job_id: r.id,
    project_id: r.projectId,
    action: r.action,
    status: r.status,
    commit: r.commit,
    path: (r.params.path as string | undefined) ?? null,
    requested_by: r.requestedBy,
    created_at: r.createdAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    finished_at: r.finishedAt?.toISOString() ?? null,
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
    message: r.message,
    result: r.result ?? null,
    suggestions: sugg,
  };
}

/** A page cursor: the key of the page's last job, opaque to clients (base64url JSON). */
function encodeJobCursor(key: JobKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeJobCursor(cursor: string): JobKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === 2 &&
      typeof key[0] === 'string' &&
      /^-?\d{1,20}$/.test(key[0]) &&
      typeof key[1] === 'string'
    ) {
      return key as JobKey;
    }
  } catch {
    // reported below
  }
  throw errors.validation('cursor: not a cursor this list returned; start again without it.');
}

/** Where `symbol` is most likely declared in `text` (1-based): a declaration keyword before it, else its first use. */
function declarationLine(text: string, symbol: string): number {
  const name = (symbol.split('.').at(-1) ?? symbol).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = text.split('\n');
  const declared = new RegExp(
    `\\b(function|class|interface|type|enum|const|let|var|def|func)\\s+(\\*\\s*)?${name}\\b|^\\s*(public |private |protected |static |async |readonly )*${name}\\s*[(<:=]`,
  );
  const used = new RegExp(`\\b${name}\\b`);
  const at = lines.findIndex((l) => declared.test(l));
  return (
    (at >= 0
      ? at
      : Math.max(
          0,
          lines.findIndex((l) => used.test(l)),
        )) + 1
  );
}

/** A refusal of the analysis, as `@hivesync/ai` throws them (without loading it): the job fails with `code`. */
function aiRefusal(code: 'file_not_found' | 'project_too_large', message: string): Error {
  return Object.assign(new Error(message), { name: 'AiError', code });
}
