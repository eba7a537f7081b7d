import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { RepoPath } from './repo.js';

/**
 * What an AI job can be asked to do. `refactor` (and `suggest_fix`) need a language-model provider (openai).
 * `explain` and `suggest_fix` are asked on a thread (POST /projects/{id}/threads/{thread_id}/ai), not on /ai/jobs.
 */
export const AiAction = z.enum([
  'document_function',
  'document_file',
  'summarize_file',
  'rename_symbol',
  'refactor',
  'explain',
  'suggest_fix',
]);
export type AiAction = z.infer<typeof AiAction>;

export const CreateAiJobBody = z
  .object({
    project_id: Id,
    action: AiAction,
    path: RepoPath.min(1).optional(),
    range: z.object({ start_line: z.number().int().min(1), end_line: z.number().int().min(1) }).optional(),
    symbol: z.string().min(1).max(200).optional(),
    new_name: z.string().min(1).max(200).optional(),
    instructions: z.string().max(10_000).optional(),
  })
  .meta({ id: 'CreateAiJobBody' });
export type CreateAiJobBody = z.infer<typeof CreateAiJobBody>;

/** proposed → approved | rejected; approved → applied → reverted. */
export const SuggestionState = z.enum(['proposed', 'approved', 'rejected', 'applied', 'reverted']);
export type SuggestionState = z.infer<typeof SuggestionState>;

export const Suggestion = z
  .object({
    id: Id,
    job_id: Id,
    description: z.string(),
    files: z.array(z.string()),
    /** A unified diff that `git apply` accepts on the job's commit. */
    patch: z.string(),
    state: SuggestionState,
    created_at: Timestamp,
    /** Every move, with who made it and when. */
    history: z.array(
      z.object({
        from: SuggestionState,
        to: SuggestionState,
        by: Id.nullable(),
        at: Timestamp,
        /** What the person said with the move (approve/reject take one); null when nothing. Absent from older servers. */
        comment: z.string().nullable().optional(),
      }),
    ),
  })
  .meta({ id: 'Suggestion' });
export type Suggestion = z.infer<typeof Suggestion>;

export const AiJob = z
  .object({
    job_id: Id,
    project_id: Id,
    action: AiAction,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    commit: z.string(),
    path: z.string().nullable(),
    /** Who asked for the job (null once their account is gone). Absent from servers older than this field. */
    requested_by: Id.nullable().optional(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    /**
     * Why a completed job has no suggestion, when that is worth saying: "`init` in lib/app.js:59 already has a doc
     * comment." Null otherwise; absent from servers older than this field.
     */
    message: z.string().nullable().optional(),
    /** For summarize_file: the summary and the exported API it describes; for thread questions: the answer. */
    result: z.record(z.string(), z.unknown()).nullable(),
    /** For a question asked on a thread: that thread. Absent from servers older than thread questions. */
    thread_id: Id.nullable().optional(),
    suggestions: z.array(Suggestion),
  })
  .meta({ id: 'AiJob' });
export type AiJob = z.infer<typeof AiJob>;

/** Jobs per page of GET /ai/jobs when `limit` is not given (and what it answered before it paged), and the most. */
export const AI_JOB_PAGE_DEFAULT = 100;
export const AI_JOB_PAGE_MAX = 100;

export const ListAiJobsQuery = z.object({
  project_id: Id,
  /** Jobs per page: 1 to 100, 100 by default. */
  limit: z.coerce.number().int().min(1).max(AI_JOB_PAGE_MAX).optional(),
  /** The `next_cursor` of the previous page. */
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be a next_cursor from a previous page' })
    .optional(),
});
export type ListAiJobsQuery = z.input<typeof ListAiJobsQuery>;

export const AiJobList = z
  .object({
    jobs: z.array(AiJob),
    /** Pass as `cursor` for the next page; null on the last one. Absent from servers older than paging. */
    next_cursor: z.string().nullable().optional(),
  })
  .meta({ id: 'AiJobList' });
export type AiJobList = z.infer<typeof AiJobList>;

/** Optional body of POST /ai/suggestions/{id}/approve and /reject: a comment kept in the suggestion's history. */
export const SuggestionMoveBody = z
  .object({ comment: z.string().trim().max(2000).optional() })
  .meta({ id: 'SuggestionMoveBody' });
export type SuggestionMoveBody = z.input<typeof SuggestionMoveBody>;

/** Which actions the server's configured provider runs: what a client may offer. */
export const AiCapabilities = z
  .object({
    /** `local` (offline, deterministic) or `openai` (an OpenAI-compatible model). */
    provider: z.enum(['local', 'openai']),
    /** The actions POST /ai/jobs accepts with this provider (`refactor` only with a model). */
    actions: z.array(AiAction),
  })
  .meta({ id: 'AiCapabilities' });
export type AiCapabilities = z.infer<typeof AiCapabilities>;

export const SuggestionList = z.object({ suggestions: z.array(Suggestion) }).meta({ id: 'SuggestionList' });
export type SuggestionList = z.infer<typeof SuggestionList>;

/** What can be asked of the assistant on a thread: explain its lines, or suggest a fix (a patch, with a model). */
export const ThreadAiAction = z.enum(['explain', 'suggest_fix']);
export type ThreadAiAction = z.infer<typeof ThreadAiAction>;

/** Body of POST /projects/{id}/threads/{thread_id}/ai. */
export const ThreadAiBody = z.object({ action: ThreadAiAction }).meta({ id: 'ThreadAiBody' });
export type ThreadAiBody = z.infer<typeof ThreadAiBody>;

/**
 * An AI job's log, for instance admins (GET /admin/ai-jobs/{id}/log): what the job was given (its parameters, the
 * files it read, the prompts it sent) and what came back (the raw model output), with secrets redacted.
 */
export const AiJobLog = z
  .object({
    job_id: Id,
    project_id: Id,
    /** When the log is deleted (HIVESYNC_AI_LOG_RETENTION_DAYS after the job was created). */
    expires_at: Timestamp,
    log: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AiJobLog' });
export type AiJobLog = z.infer<typeof AiJobLog>;

/** A project's plan: `pro` projects' jobs go to the priority queues that workers drain first. */
export const ProjectPlan = z.enum(['free', 'pro']);
export type ProjectPlan = z.infer<typeof ProjectPlan>;

/** Body of PATCH /admin/projects/{id}. */
export const AdminProjectBody = z.object({ plan: ProjectPlan }).meta({ id: 'AdminProjectBody' });
export type AdminProjectBody = z.infer<typeof AdminProjectBody>;

/** A project as PATCH /admin/projects/{id} answers it. */
export const AdminProject = z.object({ id: Id, name: z.string(), plan: ProjectPlan }).meta({ id: 'AdminProject' });
export type AdminProject = z.infer<typeof AdminProject>;
