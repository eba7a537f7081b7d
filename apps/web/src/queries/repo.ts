import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Sync, SyncStatus } from '@hivesync/sdk';
import { useClient } from '../session/session.js';
import { projectKeys } from './projects.js';

/** Query keys of a project's mirror: syncs, directories and files. */
export const repoKeys = {
  syncs: (projectId: string) => ['repo', projectId, 'syncs'] as const,
  sync: (syncId: string) => ['repo', 'sync', syncId] as const,
  tree: (projectId: string, commit: string | undefined, path: string) =>
    ['repo', projectId, 'tree', commit ?? 'current', path] as const,
  file: (projectId: string, commit: string, path: string) => ['repo', projectId, 'file', commit, path] as const,
};

/** Statuses after which a sync changes no more. */
export const FINAL_SYNC_STATUSES: readonly SyncStatus[] = ['completed', 'failed'];
/** How often a running sync is asked for its stage, in milliseconds. */
export const SYNC_POLL_MS = 500;

/** A project's recent syncs, newest first. */
export function useSyncsQuery(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: repoKeys.syncs(projectId),
    queryFn: ({ signal }) => client.repo.listSyncs(projectId, { limit: 5 }, { signal }),
  });
}

/**
 * One sync, asked again every SYNC_POLL_MS until it ends. The event stream tells only a sync's outcome, not each
 * stage, so the stages come from polling the sync itself (as `hivesync sync --wait` does).
 */
export function useSyncQuery(syncId: string | undefined, initial?: Sync) {
  const client = useClient();
  return useQuery({
    queryKey: repoKeys.sync(syncId ?? 'none'),
    queryFn: ({ signal }) => client.repo.getSync(syncId!, { signal }),
    enabled: syncId !== undefined,
    ...(initial && { initialData: initial }),
    refetchInterval: (query) =>
      query.state.data && FINAL_SYNC_STATUSES.includes(query.state.data.status) ? false : SYNC_POLL_MS,
  });
}

/** Starts a sync (or answers the one already queued or running). */
export function useStartSyncMutation(projectId: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.repo.sync(projectId),
    onSuccess: (sync) => queryClient.setQueryData(repoKeys.sync(sync.sync_id), sync),
  });
}

/** Once a sync ends, what depends on the mirror is fetched again. */
export function useInvalidateAfterSync(projectId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: projectKeys.detail(projectId) }),
      queryClient.invalidateQueries({ queryKey: repoKeys.syncs(projectId) }),
      queryClient.invalidateQueries({ queryKey: ['repo', projectId, 'tree'] }),
    ]);
}

/** A directory of the mirror, at `commit` or the current one; fetched only when `enabled` (a folder opened). */
export function useTreeQuery(projectId: string, path: string, commit?: string, enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: repoKeys.tree(projectId, commit, path),
    queryFn: ({ signal }) =>
      client.repo.tree(projectId, { ...(path && { path }), ...(commit && { commit }) }, { signal }),
    enabled,
    staleTime: commit ? Infinity : 30_000,
  });
}

/** A file at a commit (a commit's content never changes). */
export function useFileQuery(projectId: string, commit: string, path: string) {
  const client = useClient();
  return useQuery({
    queryKey: repoKeys.file(projectId, commit, path),
    queryFn: ({ signal }) => client.repo.file(projectId, path, { commit }, { signal }),
    staleTime: Infinity,
  });
}
