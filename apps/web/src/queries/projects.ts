import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateProjectBody, SetCredentialBody, UpdateProjectBody } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** Query keys of the projects resource. */
export const projectKeys = {
  all: ['projects'] as const,
  list: () => [...projectKeys.all, 'list'] as const,
  detail: (id: string) => [...projectKeys.all, 'detail', id] as const,
  credential: (id: string) => [...projectKeys.all, 'credential', id] as const,
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

/** Changes a project's name, repository URL or branch; the project is stored as the server answers it. */
export function useUpdateProjectMutation(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateProjectBody) => client.projects.update(id, body),
    onSuccess: (project) => {
      queryClient.setQueryData(projectKeys.detail(id), project);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: projectKeys.list() }),
        // A URL on another host drops the credential.
        queryClient.invalidateQueries({ queryKey: projectKeys.credential(id) }),
      ]);
    },
  });
}

/**
 * Deletes a project. Call `forget` from the page it leads to: everything cached about the project is dropped then,
 * not while its pages are still mounted (they would fetch it again and show it as gone for an instant).
 */
export function useDeleteProjectMutation(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  const mutation = useMutation({ mutationFn: () => client.projects.delete(id) });
  const forget = () => {
    queryClient.removeQueries({ queryKey: projectKeys.detail(id) });
    queryClient.removeQueries({ queryKey: projectKeys.credential(id) });
    queryClient.removeQueries({ queryKey: ['members', id] });
    return queryClient.invalidateQueries({ queryKey: projectKeys.list() });
  };
  return { ...mutation, forget };
}

/** Whether the project has a repository credential, and its type (never the credential itself). */
export function useCredentialQuery(id: string) {
  const client = useClient();
  return useQuery({
    queryKey: projectKeys.credential(id),
    queryFn: ({ signal }) => client.repo.credential(id, { signal }),
  });
}

/** Stores or removes the repository credential (`null` removes it). */
export function useCredentialMutation(id: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: SetCredentialBody | null) => {
      if (body) await client.repo.setCredential(id, body);
      else await client.repo.deleteCredential(id);
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: projectKeys.credential(id) }),
        queryClient.invalidateQueries({ queryKey: projectKeys.detail(id) }),
      ]),
  });
}
