import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AiJob, Suggestion } from '@hivesync/sdk';
import { useHiveSyncClient } from './client.js';

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

/** A suggestion's patch as files and hunks (it never changes). */
export function useSuggestionDiffQuery(suggestionId: string) {
  const client = useHiveSyncClient();
  return useQuery({
    queryKey: aiKeys.diff(suggestionId),
    queryFn: ({ signal }) => client.ai.suggestionDiff(suggestionId, { signal }),
    staleTime: Infinity,
  });
}

/** A move of a suggestion the apps offer: review it, or report what was done with it in a working copy. */
export type SuggestionMove = 'approve' | 'reject' | 'applied' | 'reverted';

/** Moves a suggestion (with a comment for approve and reject); its job is stored with the suggestion as answered. */
export function useMoveSuggestionMutation(job: Pick<AiJob, 'job_id' | 'project_id'>) {
  const client = useHiveSyncClient();
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
