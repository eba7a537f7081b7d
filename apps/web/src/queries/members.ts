import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AddMemberBody, GrantableRole } from '@hivesync/sdk';
import { useClient } from '../session/session.js';
import { projectKeys } from './projects.js';

/** Query keys of a project's members. */
export const memberKeys = {
  all: ['members'] as const,
  list: (projectId: string) => [...memberKeys.all, projectId] as const,
  pages: (projectId: string) => [...memberKeys.list(projectId), 'pages'] as const,
};

/** Every member of a project in one answer (for pickers: mentions, assignees). */
export function useMembersQuery(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: memberKeys.list(projectId),
    queryFn: ({ signal }) => client.members.list(projectId, { signal }),
  });
}

/** Members per page of the settings page. */
export const MEMBERS_PAGE = 50;

/** The members of a project with their roles, in the order they were added, a page at a time. */
export function useMembersPagesQuery(projectId: string) {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: memberKeys.pages(projectId),
    queryFn: ({ pageParam, signal }) =>
      client.members.page(projectId, { limit: MEMBERS_PAGE, ...(pageParam && { cursor: pageParam }) }, { signal }),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

// After any change of membership the list, and the project (the caller's own role may have changed), are stale.
function useInvalidateMembers(projectId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: memberKeys.list(projectId) }),
      queryClient.invalidateQueries({ queryKey: projectKeys.detail(projectId) }),
    ]);
}

/** Adds a registered user, by email, with a role. */
export function useAddMemberMutation(projectId: string) {
  const client = useClient();
  const invalidate = useInvalidateMembers(projectId);
  return useMutation({
    mutationFn: (body: AddMemberBody) => client.members.add(projectId, body),
    onSuccess: invalidate,
  });
}

/** Changes a member's role. */
export function useUpdateMemberMutation(projectId: string) {
  const client = useClient();
  const invalidate = useInvalidateMembers(projectId);
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: GrantableRole }) =>
      client.members.update(projectId, userId, { role }),
    onSuccess: invalidate,
  });
}

/** Removes a member (or, for the caller, leaves the project). */
export function useRemoveMemberMutation(projectId: string) {
  const client = useClient();
  const invalidate = useInvalidateMembers(projectId);
  return useMutation({
    mutationFn: (userId: string) => client.members.remove(projectId, userId),
    onSuccess: invalidate,
  });
}
