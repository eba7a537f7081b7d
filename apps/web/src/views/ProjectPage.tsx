import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { isSyncProgress, SYNC_PROGRESS, type Sync, type SyncStatus } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { formatDuration, formatWhen } from '../lib/format.js';
import { treePath } from '../lib/permalink.js';
import { useProjectQuery } from '../queries/projects.js';
import { useLiveEvent, useLiveStatus } from '../session/live-events.js';
import {
  FINAL_SYNC_STATUSES,
  newerSync,
  repoKeys,
  useInvalidateAfterSync,
  useStartSyncMutation,
  useSyncQuery,
  useSyncsQuery,
} from '../queries/repo.js';

/** A sync's stages in order, with what each means to a person. */
const STAGES: readonly { status: SyncStatus; label: string }[] = [
  { status: 'queued', label: 'Waiting for a worker' },
  { status: 'running', label: 'Fetching from the remote' },
  { status: 'updating_files', label: 'Updating files' },
  { status: 'cleaning', label: 'Cleaning up' },
  { status: 'finalizing', label: 'Finalizing' },
  { status: 'completed', label: 'Done' },
];

/**
 * /projects/:id: the project, its last sync, and "sync now" with the stages live: they come over the event stream
 * (`sync_progress`, sent to every member, so a sync someone else started shows too); only while the stream is down
 * is the sync polled instead.
 */
export function ProjectPage() {
  const { projectId = '' } = useParams();
  const project = useProjectQuery(projectId);
  useTitle(project.data?.name ?? 'Project');
  const syncs = useSyncsQuery(projectId);
  const start = useStartSyncMutation(projectId);
  const [startedId, setStartedId] = useState<string>();
  const latestId = startedId ?? syncs.data?.syncs[0]?.sync_id;
  const live = useLiveStatus() === 'live';
  const sync = useSyncQuery(latestId, { poll: !live });
  const invalidate = useInvalidateAfterSync(projectId);
  const queryClient = useQueryClient();

  useLiveEvent(SYNC_PROGRESS, (data) => {
    const event = { type: SYNC_PROGRESS, data };
    if (!isSyncProgress(event) || event.data.project_id !== projectId) return;
    const incoming = event.data;
    queryClient.setQueryData<Sync>(repoKeys.sync(incoming.sync_id), (current) => newerSync(current, incoming));
    // A newer sync (started by someone else, or by the schedule) becomes the one followed.
    const followed = latestId ? queryClient.getQueryData<Sync>(repoKeys.sync(latestId)) : undefined;
    if (incoming.sync_id !== latestId && (!followed || incoming.created_at > followed.created_at)) {
      setStartedId(incoming.sync_id);
    }
  });
  // Live events are not replayed: once the stream is back, the followed sync is asked for what it missed.
  const wasLive = useRef(live);
  useEffect(() => {
    if (live && !wasLive.current && latestId) void queryClient.invalidateQueries({ queryKey: repoKeys.sync(latestId) });
    wasLive.current = live;
  }, [live, latestId, queryClient]);

  // When the followed sync ends, the project (last commit) and the tree are fetched again.
  const seen = useRef<SyncStatus>();
  const status = sync.data?.status;
  useEffect(() => {
    if (status === undefined) return;
    const before = seen.current;
    seen.current = status;
    if (before !== undefined && before !== status && FINAL_SYNC_STATUSES.includes(status)) void invalidate();
  }, [status, invalidate]);

  if (project.isPending) return <p aria-live="polite">Loading the project…</p>;
  if (project.isError) return <ErrorPanel error={project.error} />;
  const p = project.data;
  const running = sync.data !== undefined && !FINAL_SYNC_STATUSES.includes(sync.data.status);

  return (
    <section>
      <p>
        <Link to="/projects">← Projects</Link>
      </p>
      <div className="page-head">
        <h1>{p.name}</h1>
        <div className="actions">
          {p.last_commit && (
            <Link to={treePath(p.id)} className="button">
              Browse code
            </Link>
          )}
          <button
            type="button"
            className="primary"
            disabled={start.isPending || running || p.role === 'viewer'}
            onClick={() => start.mutate(undefined, { onSuccess: (s) => setStartedId(s.sync_id) })}
          >
            {running ? 'Syncing…' : 'Sync now'}
          </button>
        </div>
      </div>
      <ProjectNav projectId={p.id} />
      <dl className="facts">
        <dt>Repository</dt>
        <dd>{p.repo_url ?? 'none'}</dd>
        <dt>Branch</dt>
        <dd>
          {p.branch}
          {p.follows_default_branch && <span className="muted"> (follows the remote's default)</span>}
        </dd>
        <dt>Last synced</dt>
        <dd>{p.last_synced_at ? formatWhen(p.last_synced_at) : 'never'}</dd>
        <dt>Commit</dt>
        <dd>{p.last_commit ? <code>{p.last_commit.slice(0, 12)}</code> : 'none yet'}</dd>
        <dt>Your role</dt>
        <dd>{p.role}</dd>
      </dl>
      {start.isError && <ErrorPanel error={start.error} title="Could not start a sync" />}
      <h2>{running ? 'Sync in progress' : 'Last sync'}</h2>
      {running && (
        <p className="muted small" data-testid="sync-updates">
          {live
            ? 'Each stage shows as it happens.'
            : 'No live connection: the stages are checked twice a second instead.'}
        </p>
      )}
      {sync.isError && <ErrorPanel error={sync.error} />}
      {sync.data ? <SyncReport sync={sync.data} /> : !syncs.isPending && <p>This project was never synced.</p>}
    </section>
  );
}

/** A sync's stages and outcome; announced to screen readers as it changes. */
function SyncReport({ sync }: { sync: Sync }) {
  const failed = sync.status === 'failed';
  const at = STAGES.findIndex((s) => s.status === sync.status);
  return (
    <div className="sync-report" aria-live="polite" data-sync-id={sync.sync_id}>
      <ol className="stages" aria-label="Sync stages">
        {STAGES.map((stage, i) => {
          const state = failed
            ? 'pending'
            : i < at || sync.status === 'completed'
              ? 'done'
              : i === at
                ? 'current'
                : 'pending';
          return (
            <li key={stage.status} className={`stage ${state}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span className="visually-hidden">
                {state === 'done' ? 'done: ' : state === 'current' ? 'now: ' : ''}
              </span>
              {stage.label}
            </li>
          );
        })}
      </ol>
      <p data-testid="sync-outcome">
        {sync.status === 'completed' &&
          `Completed ${sync.finished_at ? formatWhen(sync.finished_at) : ''}${
            sync.duration_ms !== null ? ` in ${formatDuration(sync.duration_ms)}` : ''
          }${sync.commit ? `, at commit ${sync.commit.slice(0, 12)}` : ''}.`}
        {failed && 'The sync failed.'}
        {!failed && sync.status !== 'completed' && `Started ${formatWhen(sync.created_at)} (${sync.trigger}).`}
      </p>
      {failed && sync.error && (
        <div className="error-panel" role="alert">
          <h3>Why it failed</h3>
          <p>{sync.error.message}</p>
          <p className="muted small">
            Error code <code>{sync.error.code}</code>
          </p>
        </div>
      )}
    </div>
  );
}
