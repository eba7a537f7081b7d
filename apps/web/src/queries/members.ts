import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AddMemberBody, GrantableRole } from '@hivesync/sdk';
import { useClient } from '../session/session.js';
import { projectKeys } from './projects.js';

/** Query keys of a project's members. */
export const memberKeys = {
  all: ['members'] as const,
  list: (projectId: string) => [...memberKeys.all, projectId] as const,
};

/** The members of a project, with their roles. */
export function useMembersQuery(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: memberKeys.list(projectId),
    queryFn: ({ signal }) => client.members.list(projectId, { signal }),
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
