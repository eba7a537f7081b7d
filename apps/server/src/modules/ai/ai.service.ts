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
  type AiJobLog,
  type ThreadAiAction,
} from '@hivesync/core';
import type { Database, Tx } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { ObjectStorage } from '../../infra/storage.js';
import { requireInstanceAdmin } from '../admin/admin-access.js';
import type { ThreadsService } from '../threads/threads.service.js';
import { AiObjectsRepository, dayOf } from './ai-objects.repository.js';
import { recordFiles, redactedJson, tokenUsage, withTranscript, type AiTranscript } from './ai-log.js';
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
/** Results larger than this (as JSON) go to the `artifacts` bucket; the row keeps the key. */
const RESULT_INLINE_MAX = 16 * 1024;
/** The most of an answer posted in a thread (as much as a person may write there). */
const MAX_ANSWER = 20_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How many days before the retention's edge the sweep of orphaned log objects looks (see deleteExpiredLogs). */
const LOG_SWEEP_DAYS = 30;
const THREAD_ACTIONS: readonly string[] = ['explain', 'suggest_fix'];

export interface AiServiceDeps {
  db: Database;
  queue: Queue;
  projects: ProjectsService;
  mirrors: MirrorStore;
  notifications: NotificationsService;
  audit: AuditService;
  logger: Logger;
  /** Where patches and large results go (`artifacts`), and each job's log (`ai-logs`). */
  artifacts: ObjectStorage;
  aiLogs: ObjectStorage;
  /** Threads, where answers to thread questions are posted. */
  threads: ThreadsService;
  settings: { provider: 'local' | 'openai'; logRetentionDays: number } & OpenAiSettings;
}

/**
 * AI jobs and the suggestions they produce. Nothing here changes a mirror or anyone's files: a job reads the mirror
 * at the commit recorded when it was created, and proposes a patch; people approve it, apply it locally, report it.
 */
export class AiService {
  private provider: Promise<AiProvider & { refactor?: OpenAiProvider['refactor'] }> | undefined;
  private readonly repo: AiRepository;
  private readonly objects: AiObjectsRepository;
  private readonly threads: ThreadsService;

  private readonly db: Database;
  private readonly queue: Queue;
  private readonly projects: ProjectsService;
  private readonly mirrors: MirrorStore;
  private readonly notifications: NotificationsService;
  private readonly audit: AuditService;
  private readonly logger: Logger;
  private readonly settings: AiServiceDeps['settings'];

  constructor(deps: AiServiceDeps) {
    const { db, queue, projects, mirrors, notifications, audit, logger, settings, threads } = deps;
    this.threads = threads;
    this.objects = new AiObjectsRepository(deps.artifacts, deps.aiLogs);
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
    if (THREAD_ACTIONS.includes(body.action))
      throw errors.validation(
        `action: ${body.action} is asked on a thread (POST /projects/{id}/threads/{thread_id}/ai), not here.`,
      );
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
    return this.enqueue(auth, project.id, body.action, { ...body, path }, view.commit);
  }

  /** Queues a job (its row and its queue message in one transaction) and tells the requester it is queued. */
  private async enqueue(
    auth: AuthContext,
    projectId: string,
    action: AiAction,
    params: Record<string, unknown>,
    commit: string,
  ): Promise<AiJob> {
    const id = crypto.randomUUID();
    const row = await this.db.transaction(async (tx) => {
      const inserted = await this.repo.insertJob(tx.orm, {
        id,
        projectId,
        requestedBy: auth.userId,
        action,
        params,
        status: 'queued',
        commit,
      });
      await this.queue.send(AI_QUEUE, { ai_job_id: id }, tx);
      tx.afterCommit(() => this.notifications.pollStateChanged(auth.userId));
      return inserted;
    });
    await this.notify(row, 'ai_job_queued');
    return toJob(row, [], null);
  }

  /**
   * Asks the assistant about a thread (project members): `explain` its lines, or `suggest_fix` (a patch, with a
   * language model). The job reads the thread's code where it is at the mirror's current commit (at its anchor when
   * it is outdated there) and posts its answer in the thread.
   */
  async askInThread(auth: AuthContext, projectId: string, threadId: string, action: ThreadAiAction): Promise<AiJob> {
    const project = await this.projects.requireProjectRole(auth, projectId, 'member');
    const thread = await this.threads.repo.findThread(threadId);
    if (!thread || thread.projectId !== project.id) throw errors.notFound('thread');
    if (action === 'suggest_fix' && this.settings.provider !== 'openai')
      throw errors.validation(
        'action: suggest_fix needs a language model (HIVESYNC_AI_PROVIDER=openai); the offline provider does not write fixes.',
      );
    const view = await this.mirrors.current(project.id);
    if (!view) throw errors.repoNotSynced();
    const placed = await this.threads.repo.position(thread.id, view.commit);
    const at =
      placed && placed.status !== 'outdated'
        ? { commit: view.commit, path: placed.path, start: placed.startLine, end: placed.endLine }
        : { commit: thread.commit, path: thread.path, start: thread.startLine, end: thread.endLine };
    const params = {
      project_id: project.id,
      action,
      thread_id: thread.id,
      path: at.path,
      range: { start_line: at.start, end_line: at.end },
    };
    return this.enqueue(auth, project.id, action, params, at.commit);
  }

  /**
   * An AI job's log (instance admins only; 404 for anyone else, and once the log has expired), with the read
   * recorded in the audit log: it holds code and prompts of a project the admin may not be a member of.
   */
  async readLog(auth: AuthContext, jobId: string): Promise<AiJobLog> {
    requireInstanceAdmin(auth);
    const job = await this.repo.findJob(jobId);
    const text = job?.logKey ? await this.objects.getLog(job.logKey) : undefined;
    if (!job || text === undefined) throw errors.notFound('AI job log');
    await this.audit.record({
      actorId: auth.userId,
      action: 'admin.ai_log_read',
      target: { type: 'ai_job', id: job.id },
      projectId: job.projectId,
      ip: auth.ip,
    });
    return {
      job_id: job.id,
      project_id: job.projectId,
      expires_at: new Date(job.createdAt.getTime() + this.settings.logRetentionDays * DAY_MS).toISOString(),
      log: JSON.parse(text) as Record<string, unknown>,
    };
  }

  /**
   * Deletes AI job logs older than `days` (worker side, periodic): first the logs rows refer to (the reference is
   * cleared before the object goes, so no row points at a missing log), then, day by day over the month before the
   * retention's edge, log objects no row refers to (a job whose attempt wrote its log and then died). Returns how
   * many objects were deleted.
   */
  async deleteExpiredLogs(days: number, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    let deleted = 0;
    for (;;) {
      const keys = await this.repo.clearExpiredLogKeys(cutoff, 500);
      for (const key of keys) {
        await this.objects.deleteLog(key);
        deleted++;
      }
      if (keys.length < 500) break;
    }
    // Every log of a day before the cutoff's day belongs to a job created before the cutoff.
    for (let d = 1; d <= LOG_SWEEP_DAYS; d++) {
      const day = dayOf(new Date(cutoff.getTime() - d * DAY_MS));
      for (;;) {
        const keys = await this.objects.listLogsOfDay(day, 1000);
        for (const key of keys) await this.objects.deleteLog(key);
        deleted += keys.length;
        if (keys.length < 1000) break;
      }
    }
    return deleted;
  }

  /** Which actions the configured provider runs (any signed-in caller may ask: it names no project). */
  capabilities(): AiCapabilities {
    const provider = this.settings.provider;
    return {
      provider,
      actions: AiAction.options.filter(
        (a) => !THREAD_ACTIONS.includes(a) && (a !== 'refactor' || provider === 'openai'),
      ),
    };
  }

  /** A page of a project's jobs, newest first, each with its suggestions. */
  async list(auth: AuthContext, projectId: string, page: { limit?: number; cursor?: string } = {}): Promise<AiJobList> {
    await this.projects.requireProjectRole(auth, projectId, 'viewer');
    const limit = page.limit ?? AI_JOB_PAGE_DEFAULT;
    const after = page.cursor === undefined ? undefined : decodeJobCursor(page.cursor);
    const rows = await this.repo.listJobs(projectId, limit + 1, after);
    const shown = rows.slice(0, limit);
    const sugg = await this.suggestionsOf(shown.map((r) => r.id));
    const results = await Promise.all(shown.map((r) => this.resultOf(r)));
    return {
      jobs: shown.map((r, i) =>
        toJob(
          r,
          sugg.filter((s) => s.job_id === r.id),
          results[i]!,
        ),
      ),
      next_cursor: rows.length > limit ? encodeJobCursor(shown.at(-1)!.key) : null,
    };
  }

  async get(auth: AuthContext, jobId: string): Promise<AiJob> {
    const row = await this.repo.findJob(jobId);
    if (!row) throw errors.notFound('AI job');
    await this.projects.requireProjectRole(auth, row.projectId, 'viewer');
    return toJob(row, await this.suggestionsOf([row.id]), await this.resultOf(row));
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
    return suggestionDiff(await this.patchOf(row), job!.commit);
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

  /**
   * Runs one attempt of a job (worker side). Refusals of the analysis fail the job at once; a crash is retried.
   * What the attempt was given and got back goes to the `ai-logs` bucket, and its patch or large result to
   * `artifacts`, before the row that refers to them is written.
   */
  async run(jobId: string, attempt: number, log: Logger, retryLimit = Infinity): Promise<void> {
    const job = await this.repo.findJob(jobId);
    if (!job || job.status === 'completed' || job.status === 'failed') return;
    await this.repo.startJob(jobId, job.startedAt ?? new Date());
    if (attempt === 1) await this.notify(job, 'ai_job_started');
    const p = job.params as CreateAiJobBody & { path?: string; thread_id?: string };
    const transcript: AiTranscript = { files: [], exchanges: [] };
    let providerName = this.settings.provider as string;
    try {
      await withTranscript(transcript, async () => {
        const provider = await this.getProvider();
        providerName = provider.name;
        const view = await this.mirrors.current(job.projectId);
        if (!view) throw new AiProviderError('The repository mirror is gone; sync the project again.');
        const read = (files?: FileSet) => this.readFiles(view, job.commit, p.path, job.action, files);
        let edits: Edit[] = [];
        let result: Record<string, unknown> | null = null;
        let message: string | null = null;
        let answer: string | undefined;
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
          case 'explain': {
            // The file alone: the explanation is about these lines, and names, calls and declared types are in it.
            const files = await this.readFiles(view, job.commit, p.path, 'file');
            const { start_line, end_line } = p.range!;
            answer =
              provider instanceof OpenAiProvider
                ? await provider.explain(files, p.path!, start_line, end_line)
                : (await (await import('@hivesync/ai')).explainLines(files, p.path!, start_line, end_line)).text;
            result = { answer };
            break;
          }
          case 'suggest_fix': {
            if (!provider.refactor) throw new AiProviderError('suggest_fix needs a language model provider.');
            const files = await read();
            const { start_line, end_line } = p.range!;
            const discussion = (await this.threads.repo.listComments(p.thread_id!))
              .filter((c) => !c.deletedAt)
              .map((c) => `${c.authorName}: ${c.body}`)
              .join('\n\n');
            const { buildContext } = await import('@hivesync/ai');
            const manifest = (await this.mirrors.listFiles(view, job.commit)).map((f) => ({
              path: f.path,
              size: f.size ?? 0,
            }));
            edits = await provider.refactor(
              files,
              [p.path!],
              `Fix the problem discussed in this code review thread about ${p.path} lines ${start_line}-${end_line}. Change as little as the fix needs; in "description", say in two or three sentences what was wrong and what the change does.\n\nThe thread:\n${discussion}`,
              await buildContext(files, manifest, [p.path!], 60_000),
            );
            answer = edits[0]!.description;
            break;
          }
        }
        const { unifiedDiff } = await import('@hivesync/ai');
        const suggestionId = crypto.randomUUID();
        // Objects first, then the rows that refer to them: a reader never finds a reference to something missing.
        const patchKey = edits.length > 0 ? await this.objects.putPatch(unifiedDiff(edits)) : null;
        let resultKey: string | null = null;
        if (result && JSON.stringify(result).length > RESULT_INLINE_MAX) {
          resultKey = await this.objects.putResult(jobId, result);
        }
        const output = {
          message,
          result,
          answer: answer ?? null,
          edits: edits.map((e) => ({ path: e.path, description: e.description })),
          patch_key: patchKey,
          suggestion_id: patchKey ? suggestionId : null,
        };
        const logKey = await this.writeLog(job, attempt, providerName, transcript, { outcome: 'completed', output });
        await this.db.transaction(async (tx) => {
          if (patchKey) {
            await this.repo.insertSuggestion(tx.orm, {
              id: suggestionId,
              jobId,
              projectId: job.projectId,
              description: edits[0]!.description,
              files: edits.map((e) => e.path),
              patch: null,
              patchKey,
              state: 'proposed',
            });
          }
          await this.repo.completeJob(tx.orm, jobId, {
            result: resultKey ? null : result,
            message,
            resultKey,
            logKey,
            provider: providerName,
            ...tokenUsage(transcript),
          });
          if (p.thread_id && answer !== undefined) {
            await this.threads.postAiComment(
              p.thread_id,
              jobId,
              threadAnswer(job.action, answer, patchKey && suggestionId),
              tx,
            );
          }
          // In the same transaction: whoever sees `completed` finds the notification too.
          await this.notify(job, 'ai_job_completed', { suggestions: patchKey ? 1 : 0 }, tx);
        });
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      const known = err instanceof AiProviderError || (err as Error).name === 'AiError';
      if (!known) log.error({ err, ai_job_id: jobId }, 'AI job failed unexpectedly');
      const error = {
        code: known ? (code ?? 'ai_provider_error') : 'internal_error',
        message: known ? (err as Error).message : 'The attempt failed unexpectedly; see the server log.',
      };
      // What the failed attempt asked and got back is kept too (a log that cannot be written does not hide the
      // failure itself).
      const logKey = await this.writeLog(job, attempt, providerName, transcript, { outcome: 'failed', error }).catch(
        (e: Error) => {
          log.warn({ ai_job_id: jobId, err: { message: e.message } }, 'could not write the AI job log');
          return null;
        },
      );
      if (!known && attempt <= retryLimit) throw err; // retried by the queue
      const errorCode = error.code;
      await this.db.transaction(async (tx) => {
        await this.repo.failJob(tx.orm, jobId, {
          errorCode,
          errorMessage: known ? (err as Error).message : 'The job failed on every attempt; see the server log.',
          ...(logKey && { logKey }),
          provider: providerName,
          ...tokenUsage(transcript),
        });
        // A question asked in a thread gets its answer there, or a word on why there is none.
        if (p.thread_id) {
          await this.threads.postAiComment(
            p.thread_id,
            jobId,
            threadFailure(job.action, known ? error.message : null),
            tx,
          );
        }
        await this.notify(job, 'ai_job_failed', { error_code: errorCode }, tx);
      });
    } finally {
      if (job.requestedBy) await this.notifications.pollStateChanged(job.requestedBy);
    }
  }

  /**
   * Writes an attempt's log to the `ai-logs` bucket (the job's parameters, the files it read, every model exchange
   * as sent and received, its output or error), secrets redacted; returns its key.
   */
  private async writeLog(
    job: JobRow,
    attempt: number,
    provider: string,
    transcript: AiTranscript,
    end:
      { outcome: 'completed'; output: Record<string, unknown> } | { outcome: 'failed'; error: Record<string, unknown> },
  ): Promise<string> {
    const key = AiObjectsRepository.logKey(job.id, job.createdAt);
    const doc = {
      job_id: job.id,
      project_id: job.projectId,
      requested_by: job.requestedBy,
      action: job.action,
      provider,
      commit: job.commit,
      attempt,
      created_at: job.createdAt.toISOString(),
      written_at: new Date().toISOString(),
      params: job.params,
      context: { files: transcript.files },
      exchanges: transcript.exchanges,
      ...end,
    };
    await this.objects.putLog(key, redactedJson(doc, [this.settings.apiKey]));
    return key;
  }

  /** A job's result: in its row, or in `artifacts` when it was too large (null if that object is gone). */
  private async resultOf(row: JobRow): Promise<Record<string, unknown> | null> {
    if (!row.resultKey) return row.result ?? null;
    return (await this.objects.getResult(row.resultKey)) ?? null;
  }

  /** A suggestion's patch: in `artifacts`, or in its row for suggestions made before patches moved there. */
  private async patchOf(row: SuggestionRow): Promise<string> {
    if (!row.patchKey) return row.patch ?? '';
    const patch = await this.objects.getPatch(row.patchKey);
    if (patch === undefined) throw errors.serviceUnavailable("The suggestion's patch could not be read from storage.");
    return patch;
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
      if (failed) {
        const threadId = failed.params.thread_id as string | undefined;
        if (threadId) await this.threads.postAiComment(threadId, failed.id, threadFailure(failed.action, null), tx);
        await this.notify(failed, 'ai_job_failed', { error_code: 'internal_error' }, tx);
      }
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
    recordFiles(files);
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
    const patches = await Promise.all(rows.map((r) => this.patchOf(r)));
    return rows.map((r, i) => ({
      id: r.id,
      job_id: r.jobId,
      description: r.description,
      files: r.files,
      patch: patches[i]!,
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

/** The comment the assistant posts in a thread: its answer, and the suggestion when it made a patch. */
function threadAnswer(action: string, answer: string, suggestionId: string | null): string {
  const head = action === 'explain' ? '**Explain this**' : '**Suggested fix**';
  const text = answer.length > MAX_ANSWER ? `${answer.slice(0, MAX_ANSWER)}…` : answer;
  const link = suggestionId
    ? `\n\nSuggestion \`${suggestionId}\`: review it with \`hivesync suggestions show ${suggestionId.slice(0, 8)}\`, then \`hivesync apply\`.`
    : '';
  return `${head}\n\n${text}${link}`;
}

/** The comment the assistant posts in a thread when it could not answer: why, when the reason is the user's to act on. */
function threadFailure(action: string, reason: string | null): string {
  const head = action === 'explain' ? '**Explain this**' : '**Suggested fix**';
  const why = reason ?? 'The assistant failed on its side (the server log says why).';
  return `${head}\n\nNo answer this time. ${why} Ask again from the thread when that is fixed.`;
}

function toJob(r: JobRow, sugg: Suggestion[], result: Record<string, unknown> | null): AiJob {
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
    result,
    thread_id: (r.params.thread_id as string | undefined) ?? null,
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
