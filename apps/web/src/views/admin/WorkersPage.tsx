import { ErrorPanel } from '../../components/ErrorPanel.js';
import type { AdminWorker } from '@hivesync/sdk';
import { ago, StateBadge } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { formatWhen } from '../../lib/format.js';
import { useNow } from '../../lib/use-now.js';
import { useAutoscalingRulesQuery, useWorkerCommandMutation, useWorkersQuery } from '../../queries/admin.js';

/** What each worker state means, for the table's words. */
const STATE_WORDS: Record<AdminWorker['state'], string> = {
  running: 'Running',
  draining: 'Draining',
  stale: 'Stale (no heartbeat)',
};

/**
 * /admin/workers: every worker process (pools, host, version, jobs held, heartbeat, state), drained or resumed from
 * here, and each pool with its live workers and desired count. Live: asked again every few seconds, at once when a
 * worker's heartbeat goes stale.
 */
export function WorkersPage() {
  useTitle('Workers & pools · Admin');
  const now = useNow(1_000);
  const workers = useWorkersQuery();
  const rules = useAutoscalingRulesQuery();
  const command = useWorkerCommandMutation();
  const list = workers.data?.workers ?? [];

  return (
    <section>
      <h1>Workers &amp; pools</h1>
      <h2>Pools</h2>
      {rules.isError && <ErrorPanel error={rules.error} title="Could not read the pools" />}
      {rules.data && (
        <div className="admin-table-wrap">
          <table className="admin-table" data-testid="pools">
            <caption className="visually-hidden">Worker pools</caption>
            <thead>
              <tr>
                <th scope="col">Pool</th>
                <th scope="col" className="num">
                  Live workers
                </th>
                <th scope="col" className="num">
                  Desired
                </th>
                <th scope="col">Manual hold</th>
              </tr>
            </thead>
            <tbody>
              {rules.data.pools.length === 0 && (
                <tr>
                  <td colSpan={4}>No pool yet: workers report theirs in their heartbeat.</td>
                </tr>
              )}
              {rules.data.pools.map((p) => (
                <tr key={p.pool}>
                  <th scope="row">{p.pool}</th>
                  <td className="num">{p.live_workers}</td>
                  <td className="num">{p.desired ?? '–'}</td>
                  <td>{p.manual ? `${p.manual.desired} until ${formatWhen(p.manual.until)}` : 'none'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Workers</h2>
      {workers.isPending && <p aria-live="polite">Loading workers…</p>}
      {workers.isError && <ErrorPanel error={workers.error} title="Could not read the workers" />}
      {command.isError && <ErrorPanel error={command.error} title="The worker did not take the command" />}
      <p role="status" className="small">
        {command.isSuccess &&
          `Sent ${command.data.requested} to ${command.data.worker_id}: its next heartbeat shows it.`}
      </p>
      {workers.data &&
        (list.length === 0 ? (
          <p>
            No worker has reported a heartbeat. Start one with <code>hivesync-server worker</code>.
          </p>
        ) : (
          <div className="admin-table-wrap">
            <table className="admin-table" data-testid="workers">
              <caption className="visually-hidden">Workers</caption>
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">Pools</th>
                  <th scope="col">Host</th>
                  <th scope="col">Version</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Jobs held
                  </th>
                  <th scope="col">Last heartbeat</th>
                  <th scope="col">Started</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((w) => (
                  <tr key={w.worker_id}>
                    <th scope="row" className="wrap">
                      {w.worker_id}
                      <span className="muted small"> · {w.kind}</span>
                    </th>
                    <td>{w.pools.join(', ')}</td>
                    <td className="wrap">
                      {w.host}
                      {w.pid !== null && <span className="muted small"> pid {w.pid}</span>}
                    </td>
                    <td>{w.version ?? '–'}</td>
                    <td>
                      <StateBadge state={w.state} label={STATE_WORDS[w.state]} />
                    </td>
                    <td className="num">
                      {w.jobs_held}
                      {w.active_jobs.length > 0 && (
                        <span className="muted small"> ({w.active_jobs.map((j) => j.queue).join(', ')})</span>
                      )}
                    </td>
                    <td>{ago(w.last_heartbeat_at, now)}</td>
                    <td>{formatWhen(w.started_at)}</td>
                    <td className="actions">
                      {w.state === 'draining' ? (
                        <button
                          type="button"
                          className="small"
                          disabled={command.isPending}
                          onClick={() => command.mutate({ id: w.worker_id, command: 'resume' })}
                        >
                          Resume<span className="visually-hidden"> {w.worker_id}</span>
                        </button>
                      ) : (
                        <button
                          type="button"
                          className="small"
                          disabled={command.isPending || w.state === 'stale'}
                          onClick={() => command.mutate({ id: w.worker_id, command: 'drain' })}
                        >
                          Drain<span className="visually-hidden"> {w.worker_id}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <p className="muted small">
        Draining a worker lets it finish the jobs it holds and take no new ones; resuming lets it take jobs again.
      </p>
    </section>
  );
}
