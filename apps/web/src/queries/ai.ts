import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiJob, CreateAiJobBody, Suggestion } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** How many jobs one page of a project's AI list shows. */
export const AI_JOBS_PAGE_SIZE = 20;

/** How often a queued or running job is asked for again (there is no per-job event to wait for). */
export const JOB_POLL_MS = 1000;

/**
 * Query keys of AI: the provider's capabilities, pages of a project's jobs, single jobs and suggestions' diffs. The
 * live events provider (session/live-events.tsx) makes `['ai', 'job', id]` and `['ai', projectId]` stale when an
 * `ai_job_*` notification arrives.
 */
export const aiKeys = {
  all: ['ai'] as const,
  capabilities: () => [...aiKeys.all, 'capabilities'] as const,
  /** Every page of a project's jobs (under ['ai', projectId], which a project's AI notifications make stale). */
  jobs: (projectId: string) => [...aiKeys.all, projectId, 'jobs'] as const,
  jobsPage: (projectId: string, cursor: string | undefined) => [...aiKeys.jobs(projectId), cursor ?? 'newest'] as const,
  job: (jobId: string) => [...aiKeys.all, 'job', jobId] as const,
  diff: (suggestionId: string) => [...aiKeys.all, 'diff', suggestionId] as const,
  /** Shared with the threads' mention list (same key, same answer). */
  members: (projectId: string) => ['members', projectId] as const,
};

/** Whether a job may still change. */
export function isRunning(job: Pick<AiJob, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running';
}

/** Which actions the server's provider runs (refactor only with a language model); it changes only with a restart. */
export function useAiCapabilitiesQuery() {
  const client = useClient();
  return useQuery({
    queryKey: aiKeys.capabilities(),
    queryFn: ({ signal }) => client.ai.capabilities({ signal }),
    staleTime: 10 * 60_000,
  });
}

/** Queues a job; the project's list is fetched again and the job's own entry starts from the server's answer. */
export function useCreateAiJobMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAiJobBody) => client.ai.create(body),
    onSuccess: (job) => {
      queryClient.setQueryData(aiKeys.job(job.job_id), job);
      void queryClient.invalidateQueries({ queryKey: aiKeys.jobs(job.project_id) });
    },
  });
}

/** One job with its suggestions, asked for again every JOB_POLL_MS while it is queued or running. */
export function useAiJobQuery(jobId: string) {
  const client = useClient();
  return useQuery({
    queryKey: aiKeys.job(jobId),
    queryFn: ({ signal }) => client.ai.get(jobId, { signal }),
    refetchInterval: (query) => (query.state.data && !isRunning(query.state.data) ? false : JOB_POLL_MS),
  });
}

/** A page of a project's jobs, newest first: the newest, or from `cursor` (a previous page's `next_cursor`). */
export function useAiJobsQuery(projectId: string, cursor: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: aiKeys.jobsPage(projectId, cursor),
    queryFn: ({ signal }) =>
      client.ai.list(projectId, { limit: AI_JOBS_PAGE_SIZE, ...(cursor && { cursor }) }, { signal }),
    // While a job on the page runs, its status is worth refreshing.
    refetchInterval: (query) => (query.state.data?.jobs.some(isRunning) ? 3 * JOB_POLL_MS : false),
  });
}

/** A suggestion's patch as files and hunks (it never changes). */
export function useSuggestionDiffQuery(suggestionId: string) {
  const client = useClient();
  return useQuery({
    queryKey: aiKeys.diff(suggestionId),
    queryFn: ({ signal }) => client.ai.suggestionDiff(suggestionId, { signal }),
    staleTime: Infinity,
  });
}

/**
 * The name of a project's member by user id, to say who asked for a job and who moved a suggestion: "a member" until
 * the members have loaded, "a former member" for an account no longer in the project (or deleted).
 */
export function useMemberNames(projectId: string): (userId: string | null | undefined) => string {
  const client = useClient();
  const members = useQuery({
    queryKey: aiKeys.members(projectId),
    queryFn: ({ signal }) => client.members.list(projectId, { signal }),
    staleTime: 60_000,
  });
  const list = members.data?.members;
  return (userId) => {
    if (!list) return 'a member';
    const member = userId ? list.find((m) => m.user_id === userId) : undefined;
    return member ? member.display_name || member.email : 'a former member';
  };
}

/** A move of a suggestion the web app offers: review it, or report what was done with it in a working copy. */
export type SuggestionMove = 'approve' | 'reject' | 'applied' | 'reverted';

/** Moves a suggestion (with a comment for approve and reject); its job is stored with the suggestion as answered. */
export function useMoveSuggestionMutation(job: Pick<AiJob, 'job_id' | 'project_id'>) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      move,
      comment,
    }: {
      id: string;
      move: SuggestionMove;
      comment?: string;
    }): Promise<Suggestion> => {
      const body = comment ? { comment } : undefined;
      switch (move) {
        case 'approve':
          return client.ai.approve(id, body);
        case 'reject':
          return client.ai.reject(id, body);
        case 'applied':
          return client.ai.markApplied(id);
        case 'reverted':
          return client.ai.markReverted(id);
      }
    },
    onSuccess: (suggestion) => {
      queryClient.setQueryData<AiJob>(aiKeys.job(job.job_id), (current) =>
        current
          ? { ...current, suggestions: current.suggestions.map((s) => (s.id === suggestion.id ? suggestion : s)) }
          : current,
      );
      return queryClient.invalidateQueries({ queryKey: aiKeys.jobs(job.project_id) });
    },
  });
}
