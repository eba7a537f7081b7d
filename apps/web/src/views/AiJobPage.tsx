import '../ai.css';
import { Link, useParams } from 'react-router';
import type { AiJob } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { SuggestionReview } from '@hivesync/ui';
import { useTitle } from '../components/Title.js';
import { ACTION_WORDS, FAILURE_WORDS, STATUS_WORDS, aiJobsPath } from '../lib/ai.js';
import { formatDuration, formatWhen } from '../lib/format.js';
import { blobPath } from '../lib/permalink.js';
import { isRunning, useAiJobQuery, useMemberNames } from '../queries/ai.js';
import { useProjectQuery } from '../queries/projects.js';

/** A job's steps in order, with what each means to a person. */
const STEPS: readonly { status: AiJob['status']; label: string }[] = [
  { status: 'queued', label: 'Queued' },
  { status: 'running', label: 'Running' },
  { status: 'completed', label: 'Done' },
];

/**
 * /projects/:id/ai/:jobId: an AI job live (asked for again every second while it is queued or running), why it
 * failed, and its suggestion to review: the diff per file and hunk, approve or reject with a comment, the patch to
 * download and the command that applies it, and what was done with it since.
 */
export function AiJobPage() {
  const { projectId = '', jobId = '' } = useParams();
  const job = useAiJobQuery(jobId);
  const project = useProjectQuery(projectId);
  const names = useMemberNames(projectId);
  const title = job.data ? `${ACTION_WORDS[job.data.action]}${job.data.path ? ` in ${job.data.path}` : ''}` : 'AI job';
  useTitle(title);

  return (
    <section className="ai-job">
      <ProjectBackLink projectId={projectId} />
      <p className="small">
        <Link to={aiJobsPath(projectId)}>All AI jobs</Link>
      </p>
      {job.isPending && <p aria-live="polite">Loading the job…</p>}
      {job.isError && <ErrorPanel error={job.error} />}
      {job.data && (
        <>
          <h1 className="ai-title">{title}</h1>
          <JobProgress job={job.data} />
          <dl className="facts">
            <dt>Asked by</dt>
            <dd>
              {`${names(job.data.requested_by)}, `}
              <time dateTime={job.data.created_at}>{formatWhen(job.data.created_at)}</time>
            </dd>
            {job.data.path && (
              <>
                <dt>File</dt>
                <dd>
                  <Link to={blobPath(projectId, job.data.commit, job.data.path)}>{job.data.path}</Link>
                </dd>
              </>
            )}
            <dt>Commit</dt>
            <dd>
              <code>{job.data.commit.slice(0, 12)}</code>{' '}
              <span className="muted small">(the suggestion applies on this commit)</span>
            </dd>
          </dl>
          {job.data.status === 'failed' && <JobFailure job={job.data} />}
          {job.data.status === 'completed' && job.data.message && (
            <p className="notice" role="status">
              Nothing to change: {job.data.message}
            </p>
          )}
          {job.data.status === 'completed' && job.data.result && <SummaryResult result={job.data.result} />}
          {job.data.suggestions.map((s) => (
            <SuggestionReview
              key={s.id}
              job={job.data}
              suggestion={s}
              canMove={project.data !== undefined && project.data.role !== 'viewer'}
              names={names}
            />
          ))}
          {job.data.status === 'completed' &&
            job.data.suggestions.length === 0 &&
            !job.data.message &&
            !job.data.result && <p>The job completed without a suggestion.</p>}
        </>
      )}
    </section>
  );
}

/** The job's steps, the current one marked, and how long it has taken; read out as it changes. */
function JobProgress({ job }: { job: AiJob }) {
  const failed = job.status === 'failed';
  const at = STEPS.findIndex((s) => s.status === job.status);
  const took = job.started_at && job.finished_at ? Date.parse(job.finished_at) - Date.parse(job.started_at) : undefined;
  return (
    <div className="ai-progress" role="status" aria-live="polite">
      <ol className="stages" aria-label="Job steps">
        {STEPS.map((step, i) => {
          const state = failed
            ? i === 0
              ? 'done'
              : 'pending'
            : i < at || job.status === 'completed'
              ? 'done'
              : i === at
                ? 'current'
                : 'pending';
          return (
            <li key={step.status} className={`stage ${state}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span className="visually-hidden">
                {state === 'done' ? 'done: ' : state === 'current' ? 'now: ' : ''}
              </span>
              {step.label}
            </li>
          );
        })}
      </ol>
      <p data-testid="ai-status">
        <strong>{STATUS_WORDS[job.status]}</strong>
        {isRunning(job) && <span className="muted"> (this page updates by itself)</span>}
        {took !== undefined && <span className="muted"> in {formatDuration(took)}</span>}
      </p>
    </div>
  );
}

/** Why the job failed, in words: what the code means, then the server's own sentence. */
function JobFailure({ job }: { job: AiJob }) {
  const code = job.error?.code ?? 'internal_error';
  return (
    <div className="error-panel" role="alert">
      <h2>{FAILURE_WORDS[code] ?? 'The job failed'}</h2>
      <p>{job.error?.message || 'The server gave no reason.'}</p>
      <p className="muted small">
        Error code <code>{code}</code>
      </p>
    </div>
  );
}

/** A summary job's result: its paragraph and the file's exported API. */
function SummaryResult({ result }: { result: Record<string, unknown> }) {
  const summary = typeof result.summary === 'string' ? result.summary : '';
  const exports = Array.isArray(result.exports)
    ? (result.exports as Array<{ name?: string; kind?: string; signature?: string; doc?: string }>)
    : [];
  return (
    <section aria-labelledby="ai-summary">
      <h2 id="ai-summary">Summary</h2>
      {summary && <p className="ai-summary-text">{summary}</p>}
      {exports.length > 0 && (
        <ul className="ai-exports">
          {exports.map((e, i) => (
            <li key={`${e.name}-${i}`}>
              <code>{e.signature || e.name}</code> <span className="muted small">{e.kind}</span>
              {e.doc && <p className="small">{e.doc}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
