import '../ai.css';
import { Link, useParams, useSearchParams } from 'react-router';
import type { AiJob } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { ACTION_WORDS, STATE_WORDS, aiJobPath, aiJobsPath } from '../lib/ai.js';
import { formatWhen } from '../lib/format.js';
import { treePath } from '../lib/permalink.js';
import { useAiJobsQuery, useMemberNames } from '../queries/ai.js';

const STATUS_SHORT: Record<AiJob['status'], string> = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
};

/**
 * /projects/:id/ai?cursor=: a page of the project's AI jobs, newest first, each with its action, file, status, its
 * suggestion's state, who asked and when. "Older jobs" links to the next page by its cursor.
 */
export function AiJobsPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const cursor = params.get('cursor') ?? undefined;
  const list = useAiJobsQuery(projectId, cursor);
  const names = useMemberNames(projectId);
  useTitle('AI');

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>AI</h1>
      <ProjectNav projectId={projectId} />
      <p className="small muted">
        Jobs asked from a file&apos;s page (Document, Rename symbol…, Refactor…) or from the CLI, newest first. Each
        suggestion is a patch for a person to review; nothing changes on the server.
      </p>
      {list.isPending && <p aria-live="polite">Loading the jobs…</p>}
      {list.isError && <ErrorPanel error={list.error} />}
      {list.data && (
        <>
          {list.data.jobs.length === 0 ? (
            <p>
              No AI job {cursor ? 'on this page' : 'yet'}. Open a file in <Link to={treePath(projectId)}>Code</Link>,
              select a function&apos;s line and choose Document.
            </p>
          ) : (
            <ol className="ai-job-list" aria-label="AI jobs, newest first">
              {list.data.jobs.map((job) => (
                <JobItem key={job.job_id} projectId={projectId} job={job} names={names} />
              ))}
            </ol>
          )}
          <nav aria-label="Pages of AI jobs" className="pager">
            {cursor && <Link to={aiJobsPath(projectId)}>Newest jobs</Link>}
            {list.data.next_cursor ? (
              <Link to={aiJobsPath(projectId, list.data.next_cursor)} className="button">
                Older jobs
              </Link>
            ) : (
              list.data.jobs.length > 0 && <span className="muted">No older job.</span>
            )}
          </nav>
        </>
      )}
    </section>
  );
}

function JobItem({
  projectId,
  job,
  names,
}: {
  projectId: string;
  job: AiJob;
  names: (userId: string | null | undefined) => string;
}) {
  const suggestion = job.suggestions[0];
  const who = names(job.requested_by);
  return (
    <li>
      <Link to={aiJobPath(projectId, job.job_id)} className="ai-job-link">
        {ACTION_WORDS[job.action]}
        {job.path && (
          <>
            {' '}
            <span className="visually-hidden">in</span> <code>{job.path}</code>
          </>
        )}
      </Link>
      <span className="ai-job-meta small">
        <span className={`job-status ${job.status}`}>{STATUS_SHORT[job.status]}</span>
        {suggestion && (
          <span className={`state-badge ${suggestion.state}`}>
            <span className="visually-hidden">suggestion: </span>
            {STATE_WORDS[suggestion.state]}
          </span>
        )}
        {job.status === 'completed' && !suggestion && <span className="muted">no change proposed</span>}
        {job.status === 'failed' && job.error && <span className="muted">{job.error.code}</span>}
        <span className="muted">
          {who} · <time dateTime={job.created_at}>{formatWhen(job.created_at)}</time>
        </span>
      </span>
    </li>
  );
}
