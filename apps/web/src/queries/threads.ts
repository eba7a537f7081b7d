import type { ThreadFilter } from '../lib/threads.js';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { AiJob, CreateThreadBody, Thread, ThreadAiAction } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** Threads per page of the project's list. */
export const THREADS_PAGE_SIZE = 25;
/** Threads per page of a file's (the server's most): the gutter marks the loaded ones, "More threads" loads more. */
export const FILE_THREADS_PAGE_SIZE = 100;

/** Query keys of threads: a file's, the project's list pages, single threads, and the members to mention. */
export const threadKeys = {
  project: (projectId: string) => ['threads', projectId] as const,
  file: (projectId: string, commit: string, path: string) =>
    [...threadKeys.project(projectId), 'file', commit, path] as const,
  list: (projectId: string, filter: ThreadFilter, cursor: string | undefined) =>
    [...threadKeys.project(projectId), 'list', filter.state, filter.mine, cursor ?? 'first'] as const,
  detail: (threadId: string) => ['thread', threadId] as const,
  members: (projectId: string) => ['members', projectId] as const,
};

/**
 * The threads of one file at a commit (open and resolved), placed where their code is at that commit, a page at a
 * time: `fetchNextPage` follows the server's `next_cursor`.
 */
export function useFileThreadsQuery(projectId: string, commit: string, path: string) {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: threadKeys.file(projectId, commit, path),
    queryFn: ({ signal, pageParam }) =>
      client.threads.list(
        projectId,
        { path, commit, state: 'all', limit: FILE_THREADS_PAGE_SIZE, ...(pageParam && { cursor: pageParam }) },
        { signal },
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    staleTime: 15_000,
  });
}

/** One page of the project's threads (by `cursor`, a previous page's `next_cursor`), with the filter's state and "mine". */
export function useThreadListQuery(projectId: string, filter: ThreadFilter, cursor: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: threadKeys.list(projectId, filter, cursor),
    queryFn: ({ signal }) =>
      client.threads.list(
        projectId,
        {
          state: filter.state,
          limit: THREADS_PAGE_SIZE,
          ...(filter.mine && { mine: true }),
          ...(cursor && { cursor }),
        },
        { signal },
      ),
    staleTime: 15_000,
  });
}

/** One thread with all its comments, at the mirror's current commit. */
export function useThreadQuery(threadId: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: threadKeys.detail(threadId ?? 'none'),
    queryFn: ({ signal }) => client.threads.get(threadId!, {}, { signal }),
    enabled: threadId !== undefined,
  });
}

/** The members of a project (to @mention); fetched once the reply box is focused. */
export function useMembersQuery(projectId: string, enabled: boolean) {
  const client = useClient();
  return useQuery({
    queryKey: threadKeys.members(projectId),
    queryFn: ({ signal }) => client.members.list(projectId, { signal }),
    enabled,
    staleTime: 60_000,
  });
}

// A changed thread is stored as the server answered it; the lists that show it are fetched again (and awaited, so a
// form stays busy until the list it belongs to shows the change).
function settle(queryClient: QueryClient, thread: Thread) {
  queryClient.setQueryData(threadKeys.detail(thread.thread_id), thread);
  return queryClient.invalidateQueries({ queryKey: threadKeys.project(thread.project_id) });
}

/** Starts a thread on lines of a file at a commit. */
export function useCreateThreadMutation(projectId: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateThreadBody) => client.threads.create(projectId, body),
    onSuccess: (thread) => settle(queryClient, thread),
  });
}

/** Replies, resolves, reopens, edits or deletes a comment of one thread; each answers the thread as it is now. */
export function useThreadActions(threadId: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  const onSuccess = (thread: Thread) => settle(queryClient, thread);
  return {
    reply: useMutation({ mutationFn: (body: string) => client.threads.reply(threadId, body), onSuccess }),
    setState: useMutation({
      mutationFn: (state: 'open' | 'resolved') =>
        state === 'resolved' ? client.threads.resolve(threadId) : client.threads.reopen(threadId),
      onSuccess,
    }),
    edit: useMutation({
      mutationFn: ({ commentId, body }: { commentId: string; body: string }) =>
        client.threads.editComment(threadId, commentId, body),
      onSuccess,
    }),
    remove: useMutation({
      // The server answers 204: the thread is asked for again.
      mutationFn: async (commentId: string) => {
        await client.threads.deleteComment(threadId, commentId);
        return client.threads.get(threadId);
      },
      onSuccess,
    }),
  };
}

/** Asks the HiveSync assistant about a thread (`explain` or `suggest_fix`); answers the queued AI job. */
export function useAskAssistantMutation(projectId: string, threadId: string) {
  const client = useClient();
  return useMutation<AiJob, Error, ThreadAiAction>({
    mutationFn: (action) => client.threads.ask(projectId, threadId, action),
  });
}
