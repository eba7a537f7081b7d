import { useQuery } from '@tanstack/react-query';
import { useClient } from '../session/session.js';

/** How many commits one page of the log shows. */
export const COMMITS_PAGE_SIZE = 30;

/** Query keys of a project's history: pages of the log and single commits. */
export const historyKeys = {
  commits: (projectId: string, path: string, cursor: string | undefined) =>
    ['history', projectId, 'commits', path, cursor ?? 'head'] as const,
  commit: (projectId: string, sha: string) => ['history', projectId, 'commit', sha] as const,
  diff: (projectId: string, from: string, to: string) => ['history', projectId, 'diff', from, to] as const,
};

/**
 * One page of the log, newest first: from the synced commit, or from `cursor` (a previous page's `next_cursor`, which
 * keeps walking the history it started on). Only commits touching `path` when it is not ''.
 */
export function useCommitsQuery(projectId: string, path: string, cursor: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: historyKeys.commits(projectId, path, cursor),
    queryFn: ({ signal }) =>
      client.repo.commits(
        projectId,
        { limit: COMMITS_PAGE_SIZE, ...(path && { path }), ...(cursor && { cursor }) },
        { signal },
      ),
    // A page named by a cursor never changes; the first page changes with each sync.
    staleTime: cursor ? Infinity : 30_000,
  });
}

/** One commit with its diff against its first parent (a commit never changes). */
export function useCommitQuery(projectId: string, sha: string) {
  const client = useClient();
  return useQuery({
    queryKey: historyKeys.commit(projectId, sha),
    queryFn: ({ signal }) => client.repo.commit(projectId, sha, { signal }),
    staleTime: Infinity,
  });
}

/** The diff from `from` to `to` (the synced commit when ''); nothing is asked while `from` is empty. */
export function useDiffQuery(projectId: string, from: string, to: string) {
  const client = useClient();
  return useQuery({
    queryKey: historyKeys.diff(projectId, from, to),
    queryFn: ({ signal }) => client.repo.diff(projectId, from, { ...(to && { to }) }, { signal }),
    enabled: from !== '',
    // Branch names move with each sync; two hashes never change.
    staleTime: /^[0-9a-f]{40}$/.test(from) && /^[0-9a-f]{40}$/.test(to) ? Infinity : 30_000,
  });
}
