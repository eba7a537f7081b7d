import { Link, useSearchParams } from 'react-router';
import type { AdminJobQuery, AdminJobStatus } from '@hivesync/sdk';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { CursorPager, formatAge, formatMs, StateBadge } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { formatWhen } from '../../lib/format.js';
import { ADMIN_PAGE_SIZE, useJobCommandMutation, useJobsQuery, useQueuesQuery } from '../../queries/admin.js';

const STATUSES: readonly { value: AdminJobStatus; label: string }[] = [
  { value: 'waiting', label: 'Waiting' },
  { value: 'running', label: 'Running' },
  { value: 'failed', label: 'Failed' },
  { value: 'completed', label: 'Completed' },
  { value: 'cancelled', label: 'Cancelled' },
];
const isStatus = (value: string | null): value is AdminJobStatus => STATUSES.some((s) => s.value === value);

/**
 * /admin/queues?queue=&status=&cursor=: each queue's figures, and its jobs filtered and paged on the server; a failed
 * job can be retried, a waiting or running one cancelled. Asked again every few seconds.
 */
export function QueuesPage() {
  useTitle('Queues & jobs · Admin');
  const [params, setParams] = useSearchParams();
  const queue = params.get('queue');
  const statusParam = params.get('status');
  const status = isStatus(statusParam) ? statusParam : null;
  const cursor = params.get('cursor');
  const query: AdminJobQuery = {
    limit: ADMIN_PAGE_SIZE,
    ...(queue && { queue }),
    ...(status && { status }),
    ...(cursor && { cursor }),
  };
  const queues = useQueuesQuery();
  const jobs = useJobsQuery(query);
  const command = useJobCommandMutation();

  const filterBy = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete('cursor');
    setParams(next);
  };
  const queueNames = (queues.data?.queues ?? []).map((q) => q.name);
  if (queue && !queueNames.includes(queue)) queueNames.push(queue);

  return (
    <section>
      <h1>Queues &amp; jobs</h1>
      {queues.isPending && <p aria-live="polite">Loading queues…</p>}
      {queues.isError && <ErrorPanel error={queues.error} title="Could not read the queues" />}
      {queues.data && (
        <div className="admin-table-wrap">
          <table className="admin-table" data-testid="queues">
            <caption>Queues</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col" className="num">
                  Waiting
                </th>
                <th scope="col" className="num">
                  Running
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num">
                  Completed (1 h)
                </th>
                <th scope="col" className="num">
                  Oldest waiting
                </th>
                <th scope="col" className="num">
                  p50 run
                </th>
                <th scope="col" className="num">
                  p95 run
                </th>
              </tr>
            </thead>
            <tbody>
              {queues.data.queues.length === 0 && (
                <tr>
                  <td colSpan={8}>No queue has had a job yet.</td>
                </tr>
              )}
              {queues.data.queues.map((q) => (
                <tr key={q.name}>
                  <th scope="row">
                    <Link to={`?queue=${encodeURIComponent(q.name)}`}>{q.name}</Link>
                  </th>
                  <td className="num">{q.waiting}</td>
                  <td className="num">{q.running}</td>
                  <td className="num">
                    {q.failed > 0 ? (
                      <Link to={`?queue=${encodeURIComponent(q.name)}&status=failed`}>
                        {q.failed}
                        <span className="visually-hidden"> failed in {q.name}: list them</span>
                      </Link>
                    ) : (
                      0
                    )}
                  </td>
                  <td className="num">{q.completed_last_hour}</td>
                  <td className="num">{formatAge(q.oldest_waiting_seconds)}</td>
                  <td className="num">{formatMs(q.p50_run_ms)}</td>
                  <td className="num">{formatMs(q.p95_run_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Jobs</h2>
      <form className="admin-filters" aria-label="Filter jobs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Queue
          <select value={queue ?? ''} onChange={(e) => filterBy({ queue: e.target.value })}>
            <option value="">Every queue</option>
            {queueNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => filterBy({ status: e.target.value })}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {command.isError && <ErrorPanel error={command.error} title="The job did not take the command" />}
      <p role="status" className="small">
        {command.isSuccess &&
          `Job ${command.data.job_id} is ${command.data.status} now${command.variables.command === 'retry' ? ' (retried)' : ''}.`}
      </p>
      {jobs.isPending && <p aria-live="polite">Loading jobs…</p>}
      {jobs.isError && <ErrorPanel error={jobs.error} title="Could not list the jobs" />}
      {jobs.data && (
        <>
          <div className="admin-table-wrap">
            <table className="admin-table" data-testid="jobs" aria-busy={jobs.isFetching}>
              <caption className="visually-hidden">Jobs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.jobs.length === 0 && (
                  <tr>
                    <td colSpan={8}>No job matches.</td>
                  </tr>
                )}
                {jobs.data.jobs.map((j) => (
                  <tr key={j.job_id} data-job-id={j.job_id}>
                    <th scope="row">
                      <code>{j.job_id.slice(0, 8)}</code>
                    </th>
                    <td>{j.queue}</td>
                    <td>
                      <StateBadge state={j.status} />
                    </td>
                    <td className="num">
                      {j.retry_count + 1} of {j.retry_limit + 1}
                    </td>
                    <td>{formatWhen(j.created_at)}</td>
                    <td>{j.finished_at ? formatWhen(j.finished_at) : '–'}</td>
                    <td className="wrap small">{j.error ?? ''}</td>
                    <td className="actions">
                      {j.status === 'failed' && (
                        <button
                          type="button"
                          className="small"
                          disabled={command.isPending}
                          onClick={() => command.mutate({ id: j.job_id, command: 'retry' })}
                        >
                          Retry<span className="visually-hidden"> job {j.job_id.slice(0, 8)}</span>
                        </button>
                      )}
                      {(j.status === 'waiting' || j.status === 'running') && (
                        <button
                          type="button"
                          className="small danger"
                          disabled={command.isPending}
                          onClick={() => command.mutate({ id: j.job_id, command: 'cancel' })}
                        >
                          Cancel<span className="visually-hidden"> job {j.job_id.slice(0, 8)}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager label="Pages of jobs" nextCursor={jobs.data.next_cursor} />
        </>
      )}
    </section>
  );
}
