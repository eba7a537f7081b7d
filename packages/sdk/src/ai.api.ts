import type {
  AiCapabilities,
  AiJob,
  AiJobList,
  CreateAiJobBody,
  Diff,
  Suggestion,
  SuggestionList,
  SuggestionMoveBody,
  SuggestionState,
} from '@hivesync/core';
import { isHiveSyncError } from './errors.js';
import { sleep } from './sleep.js';
import type { RequestOptions, Transport } from './transport.js';

/** Milliseconds between polls of `ai.waitForJob()` when the caller does not say. */
export const DEFAULT_JOB_POLL_MS = 500;
/** How many failed polls in a row (network errors, 503, 429) `ai.waitForJob()` rides out before it rejects. */
export const JOB_POLL_RETRIES = 5;
const MAX_RETRY_WAIT_MS = 10_000;

/** Query of GET /ai/suggestions. */
export interface ListSuggestionsParams {
  /** Only suggestions in this state. */
  state?: SuggestionState;
}

/** Query of GET /ai/jobs: a page of a project's jobs, newest first. */
export interface ListAiJobsParams {
  /** Jobs per page: 1 to 100 (100 by default). */
  limit?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
}

/** Options of `ai.waitForJob()`. */
export interface WaitForJobOptions {
  /** Called with the job whenever its status changes, the first poll included. */
  onProgress?: (job: AiJob) => void;
  /** Milliseconds between polls; 500 by default. */
  intervalMs?: number;
  /** Stops waiting: the promise then rejects with the signal's reason (the job itself goes on). */
  signal?: AbortSignal;
}

type AiJobStatus = AiJob['status'];
const FINAL: readonly AiJobStatus[] = ['completed', 'failed'];
const jobPath = (id: string) => `/ai/jobs/${encodeURIComponent(id)}`;
const suggestionPath = (id: string) => `/ai/suggestions/${encodeURIComponent(id)}`;

/**
 * /ai: AI jobs (document, summarize, rename, refactor) and the suggestions they produce. A suggestion is a patch for a
 * person to review: the server never changes a mirror or anyone's files. Approve it, apply it locally, then report
 * `applied` (and later, perhaps, `reverted`).
 */
export class AiApi {
  constructor(private readonly transport: Transport) {}

  /** Queues a job (member role); it answers at once with `status: "queued"`. */
  create(body: CreateAiJobBody, opts?: RequestOptions): Promise<AiJob> {
    return this.transport.json<AiJob>({ method: 'POST', path: '/ai/jobs', body }, opts);
  }

  /** Which actions the server's provider runs: offer `refactor` only when it is listed. */
  capabilities(opts?: RequestOptions): Promise<AiCapabilities> {
    return this.transport.json<AiCapabilities>({ method: 'GET', path: '/ai/capabilities' }, opts);
  }

  /** A page of a project's AI jobs, newest first; pass `next_cursor` back as `cursor` for the next one. */
  list(projectId: string, params: ListAiJobsParams = {}, opts?: RequestOptions): Promise<AiJobList> {
    return this.transport.json<AiJobList>(
      { method: 'GET', path: '/ai/jobs', query: { project_id: projectId, ...params } },
      opts,
    );
  }

  /** One job, with its suggestions once it has completed (and `result` for `summarize_file`). */
  get(jobId: string, opts?: RequestOptions): Promise<AiJob> {
    return this.transport.json<AiJob>({ method: 'GET', path: jobPath(jobId) }, opts);
  }

  /**
   * Polls a job until it is `completed` or `failed` and resolves with it; a failed job resolves too (look at `status`
   * and `error`). A retryable failure of a poll (network error, 503, 429) is retried after Retry-After or a growing
   * pause, up to JOB_POLL_RETRIES times in a row; any other failure rejects.
   */
  async waitForJob(jobId: string, options: WaitForJobOptions = {}): Promise<AiJob> {
    const { onProgress, intervalMs = DEFAULT_JOB_POLL_MS, signal } = options;
    let seen: AiJobStatus | undefined;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      let job: AiJob;
      try {
        job = await this.get(jobId, { signal });
        failures = 0;
      } catch (err) {
        if (signal?.aborted || !isHiveSyncError(err) || !err.retryable || ++failures > JOB_POLL_RETRIES) throw err;
        const backoff = Math.min(MAX_RETRY_WAIT_MS, intervalMs * 2 ** failures);
        await sleep(Math.max((err.retryAfter ?? 0) * 1000, backoff), signal);
        continue;
      }
      if (job.status !== seen) {
        seen = job.status;
        onProgress?.(job);
      }
      if (FINAL.includes(job.status)) return job;
      await sleep(intervalMs, signal);
    }
  }

  /** A project's suggestions, optionally only those in one state. */
  suggestions(projectId: string, params: ListSuggestionsParams = {}, opts?: RequestOptions): Promise<SuggestionList> {
    return this.transport.json<SuggestionList>(
      { method: 'GET', path: '/ai/suggestions', query: { project_id: projectId, ...params } },
      opts,
    );
  }

  /** One suggestion, with its patch and history. */
  suggestion(id: string, opts?: RequestOptions): Promise<Suggestion> {
    return this.transport.json<Suggestion>({ method: 'GET', path: suggestionPath(id) }, opts);
  }

  /** A suggestion's patch as files, hunks and numbered lines (the shape of a commit's diff), on its job's commit. */
  suggestionDiff(id: string, opts?: RequestOptions): Promise<Diff> {
    return this.transport.json<Diff>({ method: 'GET', path: `${suggestionPath(id)}/diff` }, opts);
  }

  /** proposed → approved, with an optional comment kept in its history; `conflict` (409) from any other state. */
  approve(id: string, body?: SuggestionMoveBody, opts?: RequestOptions): Promise<Suggestion> {
    return this.move(id, 'approve', opts, body);
  }

  /** proposed → rejected, with an optional comment kept in its history; `conflict` (409) from any other state. */
  reject(id: string, body?: SuggestionMoveBody, opts?: RequestOptions): Promise<Suggestion> {
    return this.move(id, 'reject', opts, body);
  }

  /** Reports that the approved patch was applied to a working copy: approved → applied. */
  markApplied(id: string, opts?: RequestOptions): Promise<Suggestion> {
    return this.move(id, 'applied', opts);
  }

  /** Reports that the applied patch was undone: applied → reverted. */
  markReverted(id: string, opts?: RequestOptions): Promise<Suggestion> {
    return this.move(id, 'reverted', opts);
  }

  private move(
    id: string,
    to: 'approve' | 'reject' | 'applied' | 'reverted',
    opts?: RequestOptions,
    body?: SuggestionMoveBody,
  ): Promise<Suggestion> {
    return this.transport.json<Suggestion>(
      { method: 'POST', path: `${suggestionPath(id)}/${to}`, ...(body && { body }) },
      opts,
    );
  }
}
