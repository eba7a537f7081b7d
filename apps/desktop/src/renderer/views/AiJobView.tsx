import { useId } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  isHiveSyncError,
  type AiJob,
  type ApplyConflictDetails,
  type ApplySuggestionResult,
  type FolderMapping,
  type RevertSuggestionResult,
  type Suggestion,
} from '@hivesync/sdk';
import { aiKeys, ErrorPanel, SuggestionReview } from '@hivesync/ui';
import { Link, useParams } from 'react-router';
import { agent, client } from '../agent.js';
import { useMappings } from '../queries.js';

const STATUS: Record<AiJob['status'], string> = {
  queued: 'Queued: waiting for a worker',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
};

/** An AI job: its status while it runs, then its suggestion to review (shared with the web app) and apply here. */
export function AiJobView() {
  const { projectId = '', jobId = '' } = useParams();
  const job = useQuery({
    queryKey: aiKeys.job(jobId),
    queryFn: ({ signal }) => client.ai.get(jobId, { signal }),
    refetchInterval: (q) => (q.state.data && !['queued', 'running'].includes(q.state.data.status) ? false : 1000),
  });
  const members = useQuery({
    queryKey: aiKeys.members(projectId),
    queryFn: ({ signal }) => client.members.list(projectId, { signal }),
  });
  const mapping = useMappings().data?.find((m) => m.project_id === projectId);
  const names = (userId: string | null | undefined) => {
    const m = members.data?.members.find((x) => x.user_id === userId);
    return m ? m.display_name || m.email : 'a member';
  };
  const j = job.data;
  return (
    <section>
      <p>
        <Link to={`/projects/${projectId}`}>← Project</Link>
      </p>
      <h1>{j ? `${j.action.replaceAll('_', ' ')} in ${j.path ?? 'the project'}` : 'AI job'}</h1>
      {job.isError && <ErrorPanel error={job.error} />}
      {j && (
        <p data-testid="ai-status" aria-live="polite">
          {STATUS[j.status]}
          {j.status === 'failed' && j.error ? `: ${j.error.message}` : ''}
        </p>
      )}
      {j?.status === 'completed' && j.suggestions.length === 0 && <p>The job proposes no change.</p>}
      {j?.suggestions.map((s) => (
        <SuggestionReview
          key={s.id}
          job={j}
          suggestion={s}
          canMove
          names={names}
          fileLinks={false}
          applyPanel={<ApplyPanel job={j} suggestion={s} mapping={mapping} />}
        />
      ))}
    </section>
  );
}

/**
 * Applies an approved suggestion to the mapped folder through the agent (three-way when the file moved on since the
 * job's commit, all or nothing), or reverts an applied one. A patch that does not apply leaves every file untouched
 * and shows each conflicting file and hunk.
 */
function ApplyPanel({
  job,
  suggestion,
  mapping,
}: {
  job: AiJob;
  suggestion: Suggestion;
  mapping: FolderMapping | undefined;
}) {
  const queryClient = useQueryClient();
  const headingId = useId();
  const refresh = () => queryClient.invalidateQueries({ queryKey: aiKeys.job(job.job_id) });
  const apply = useMutation({
    mutationFn: (): Promise<ApplySuggestionResult | RevertSuggestionResult> =>
      suggestion.state === 'applied'
        ? agent.revertSuggestion(suggestion.id, { folder: mapping!.folder })
        : agent.applySuggestion(suggestion.id, { folder: mapping!.folder }),
    onSettled: refresh,
  });
  const conflict = conflictOf(apply.error);
  if (!mapping) {
    return (
      <p className="notice">
        Map a folder to this project to apply the patch here: <Link to="/folders">Folders</Link>.
      </p>
    );
  }
  const reverting = suggestion.state === 'applied';
  return (
    <section className="apply-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Apply to your folder</h3>
      <p className="small">
        <code className="folder">{mapping.folder}</code> (the job ran on commit <code>{job.commit.slice(0, 12)}</code>)
      </p>
      {suggestion.state === 'proposed' && <p className="muted">Approve the suggestion to apply it here.</p>}
      {(suggestion.state === 'approved' || suggestion.state === 'applied' || suggestion.state === 'reverted') && (
        <div className="actions">
          <button
            type="button"
            className={reverting ? '' : 'primary'}
            disabled={apply.isPending}
            onClick={() => apply.mutate()}
          >
            {apply.isPending
              ? reverting
                ? 'Reverting…'
                : 'Applying…'
              : reverting
                ? 'Revert in folder'
                : 'Apply to folder'}
          </button>
        </div>
      )}
      {apply.data && (
        <p className="notice" role="status" data-testid="apply-result">
          {'applied_at' in apply.data ? 'Applied' : 'Reverted'}
          {'three_way' in apply.data && apply.data.three_way ? ' (merged three-way: the file had moved on)' : ''}:{' '}
          {apply.data.files.map((f) => `${f.path} (${f.change})`).join(', ')}.
        </p>
      )}
      {conflict ? <ConflictView details={conflict} /> : apply.isError && <ErrorPanel error={apply.error} />}
    </section>
  );
}

function conflictOf(error: unknown): ApplyConflictDetails | null {
  if (!isHiveSyncError(error) || error.status !== 409) return null;
  const d = error.details as Partial<ApplyConflictDetails> | undefined;
  return d && Array.isArray(d.files) ? (d as ApplyConflictDetails) : null;
}

/** A patch that does not apply: nothing was written; each file with why and the hunks that clash. */
function ConflictView({ details }: { details: ApplyConflictDetails }) {
  return (
    <div className="error-panel conflict" role="alert" data-testid="apply-conflict">
      <h3>
        {details.reason === 'changed_since_apply'
          ? 'The files changed since the patch was applied: not reverted'
          : 'The patch does not apply: nothing was changed'}
      </h3>
      <p>
        Every file in <code>{details.folder}</code> was left as it was. Resolve the clash below (or commit or stash your
        changes) and try again.
      </p>
      {details.files.map((f) => (
        <section key={f.path} className="conflict-file">
          <h4>
            <code>{f.path}</code>:{' '}
            {f.reason === 'missing'
              ? 'missing'
              : f.reason === 'changed'
                ? 'changed since'
                : 'clashes with your changes'}
          </h4>
          {f.hunks.map((h, i) => (
            <figure key={i}>
              <figcaption className="small">
                <code>{h.header}</code> {h.message}
              </figcaption>
              <pre className="hunk-lines">{h.lines.join('\n')}</pre>
            </figure>
          ))}
        </section>
      ))}
    </div>
  );
}
