import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useClient, useSessionStore } from '../session/session.js';

/** Query keys of the caller's account. */
export const accountKeys = {
  all: ['account'] as const,
  sessions: () => [...accountKeys.all, 'sessions'] as const,
};

/** Sessions per page of the account page. */
export const SESSIONS_PAGE = 20;

/** The caller's open sessions (one per login), newest first, a page at a time; `current` marks this browser's. */
export function useSessionsQuery() {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: accountKeys.sessions(),
    queryFn: ({ pageParam, signal }) =>
      client.auth.sessions({ limit: SESSIONS_PAGE, ...(pageParam && { cursor: pageParam }) }, { signal }),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Revokes one of the caller's other sessions; the list is fetched again. */
export function useRevokeSessionMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.auth.revokeSession(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions() }),
  });
}

/** Logs out everywhere: every session of the caller ends, this browser's too. */
export function useLogoutAllMutation() {
  const store = useSessionStore();
  return useMutation({ mutationFn: () => store.logoutAll() });
}
