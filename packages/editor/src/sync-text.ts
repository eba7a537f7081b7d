import type { Sync } from '@hivesync/sdk';

const STAGES: Record<string, string> = {
  queued: 'queued',
  running: 'fetching from the remote',
  updating_files: 'updating files',
  cleaning: 'cleaning up',
  finalizing: 'finalizing',
};

/** What a failed sync's error code means and what to do, in words. */
const FIXES: Record<string, string> = {
  repo_auth_failed:
    "The server could not sign in to the remote. Set the project's credential (web app → project settings → Repository).",
  repo_not_found: "The remote repository was not found. Check the project's repository URL in its settings.",
  repo_branch_not_found: "The project's branch is not on the remote. Pick another branch in the project's settings.",
  repo_network_error: 'The server could not reach the remote. Check its network, then sync again.',
  repo_corrupt: 'The mirror was damaged and is being fetched again. Sync again in a moment.',
  storage_full: "The server's disk is full. Ask its administrator to free space, then sync again.",
  timeout: 'The sync took too long. Sync again; a large first fetch may need a few tries.',
};

/** The status bar text of a sync in progress or just finished. */
export function syncStageText(sync: Pick<Sync, 'status' | 'commit'>): string {
  if (sync.status === 'completed') return `synced ${sync.commit ? sync.commit.slice(0, 7) : ''}`.trim();
  if (sync.status === 'failed') return 'sync failed';
  return `sync: ${STAGES[sync.status] ?? sync.status}…`;
}

/** A failed sync's error in words, with what to do about it. */
export function syncErrorText(sync: Pick<Sync, 'error'>): string {
  const error = sync.error;
  if (!error) return 'The sync failed.';
  const fix = FIXES[error.code];
  return fix ? `${error.message.replace(/\.?$/, '.')} ${fix}` : `${error.message} (${error.code})`;
}
