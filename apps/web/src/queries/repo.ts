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
/** How often a running sync is asked for its stage while the event stream is down, in milliseconds. */
export const SYNC_POLL_MS = 500;

const SYNC_ORDER: Record<SyncStatus, number> = {
  queued: 0,
  running: 1,
  updating_files: 2,
  cleaning: 3,
  finalizing: 4,
  completed: 5,
  failed: 5,
};

/**
 * Of two states of one sync, the later one: more attempts, else the further stage. Answers and live events may
 * arrive out of order (a `running` event can come before the answer of the POST that queued the sync).
 */
export function newerSync(current: Sync | undefined, incoming: Sync): Sync {
  if (!current || current.sync_id !== incoming.sync_id) return incoming;
  if (incoming.attempts !== current.attempts) return incoming.attempts > current.attempts ? incoming : current;
  return SYNC_ORDER[incoming.status] >= SYNC_ORDER[current.status] ? incoming : current;
}

/** A project's recent syncs, newest first. */
export function useSyncsQuery(projectId: string) {
  const client = useClient();
  return useQuery({
    queryKey: repoKeys.syncs(projectId),
    queryFn: ({ signal }) => client.repo.listSyncs(projectId, { limit: 5 }, { signal }),
  });
}

/**
 * One sync. Its stages come live over the event stream (`sync_progress`, which the project page writes into this
 * query's cache); only with `poll` (the stream is down) is it asked again every SYNC_POLL_MS until it ends, as
 * `hivesync sync --wait` does.
 */
export function useSyncQuery(syncId: string | undefined, { poll }: { poll: boolean }) {
  const client = useClient();
  return useQuery({
    queryKey: repoKeys.sync(syncId ?? 'none'),
    queryFn: ({ signal }) => client.repo.getSync(syncId!, { signal }),
    enabled: syncId !== undefined,
    // Live, what the events wrote is current: no fetch on mount (a sync that ended never changes again).
    staleTime: poll ? 0 : Infinity,
    refetchInterval: (query) =>
      !poll || (query.state.data && FINAL_SYNC_STATUSES.includes(query.state.data.status)) ? false : SYNC_POLL_MS,
  });
}

/** Starts a sync (or answers the one already queued or running). */
export function useStartSyncMutation(projectId: string) {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.repo.sync(projectId),
    onSuccess: (sync) =>
      queryClient.setQueryData<Sync>(repoKeys.sync(sync.sync_id), (current) => newerSync(current, sync)),
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
