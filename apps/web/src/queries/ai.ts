import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiJob, CreateAiJobBody } from '@hivesync/sdk';
import { aiKeys } from '@hivesync/ui';
import { useClient } from '../session/session.js';

// The keys, the suggestion's diff and its moves live with the shared review component (packages/ui).
export { aiKeys, useMoveSuggestionMutation, useSuggestionDiffQuery, type SuggestionMove } from '@hivesync/ui';

/** How many jobs one page of a project's AI list shows. */
export const AI_JOBS_PAGE_SIZE = 20;

/** How often a queued or running job is asked for again (there is no per-job event to wait for). */
export const JOB_POLL_MS = 1000;

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
