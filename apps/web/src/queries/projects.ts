import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateProjectBody } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** Query keys of the projects resource. */
export const projectKeys = {
  all: ['projects'] as const,
  list: () => [...projectKeys.all, 'list'] as const,
  detail: (id: string) => [...projectKeys.all, 'detail', id] as const,
};

/** The projects the caller is a member of. */
export function useProjectsQuery() {
  const client = useClient();
  return useQuery({ queryKey: projectKeys.list(), queryFn: ({ signal }) => client.projects.list({ signal }) });
}

/** One project. */
export function useProjectQuery(id: string) {
  const client = useClient();
  return useQuery({ queryKey: projectKeys.detail(id), queryFn: ({ signal }) => client.projects.get(id, { signal }) });
}

/** Creates a project; the list is fetched again. */
export function useCreateProjectMutation() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateProjectBody) => client.projects.create(body),
    onSuccess: (project) => {
      queryClient.setQueryData(projectKeys.detail(project.id), project);
      return queryClient.invalidateQueries({ queryKey: projectKeys.list() });
    },
  });
}
