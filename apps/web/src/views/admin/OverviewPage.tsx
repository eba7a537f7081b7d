import { useMemo } from 'react';
import { Link } from 'react-router';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { Chart } from '../../components/admin/Chart.js';
import type { ChartOption } from '../../components/admin/echarts.js';
import { ago, formatAge, StateBadge, Stat } from '../../components/admin/bits.js';
import { useQueueSamples, type QueueSample } from '../../components/admin/live.js';
import { useTitle } from '../../components/Title.js';
import { useNow } from '../../lib/use-now.js';
import {
  rangeQuery,
  useAiAnalyticsQuery,
  useDeepHealthQuery,
  usePreviewAnalyticsQuery,
  useQueuesQuery,
  useRateLimitAnalyticsQuery,
  useSyncAnalyticsQuery,
  useWorkersQuery,
} from '../../queries/admin.js';

/** A sparkline of one reading of the queues over the time the dashboard has been open. */
function sparkline(samples: readonly QueueSample[], pick: (s: QueueSample) => number): ChartOption {
  return {
    grid: { left: 2, right: 2, top: 4, bottom: 4 },
    xAxis: { type: 'time', show: false },
    yAxis: { type: 'value', show: false, min: 0 },
    series: [
      {
        type: 'line',
        showSymbol: false,
        areaStyle: { opacity: 0.15 },
        data: samples.map((s) => [s.at, pick(s)]),
      },
    ],
  };
}

/** /admin: the instance at a glance: health, workers, queues (with sparklines), and what failed in the last hour. */
export function OverviewPage() {
  useTitle('Admin overview');
  const now = useNow(5_000);
  const health = useDeepHealthQuery();
  const workers = useWorkersQuery();
  const queues = useQueuesQuery();
  const samples = useQueueSamples(queues.data, queues.dataUpdatedAt);
  // "The last hour" moves on by the minute (rangeQuery rounds), so the four answers share one range.
  const minute = Math.floor(now / 60_000);
  const lastHour = useMemo(() => rangeQuery('1h', minute * 60_000), [minute]);
  const syncs = useSyncAnalyticsQuery(lastHour);
  const ai = useAiAnalyticsQuery(lastHour);
  const previews = usePreviewAnalyticsQuery(lastHour);
  const rateLimits = useRateLimitAnalyticsQuery(lastHour);

  const workerList = workers.data?.workers ?? [];
  const byState = (state: string) => workerList.filter((w) => w.state === state).length;
  const queueList = queues.data?.queues ?? [];
  const waiting = queueList.reduce((sum, q) => sum + q.waiting, 0);
  const running = queueList.reduce((sum, q) => sum + q.running, 0);
  const oldest = Math.max(0, ...queueList.map((q) => q.oldest_waiting_seconds ?? 0));
  const sum = <T,>(rows: readonly T[] | undefined, pick: (r: T) => number) =>
    rows === undefined ? undefined : rows.reduce((n, r) => n + pick(r), 0);
  const errors = [
    { what: 'Failed syncs', count: sum(syncs.data?.series, (r) => r.failed), to: '/admin/syncs?range=1h' },
    { what: 'Failed AI jobs', count: sum(ai.data?.series, (r) => r.failed), to: '/admin/ai?range=1h' },
    { what: 'Failed previews', count: sum(previews.data?.series, (r) => r.failed), to: '/admin/previews?range=1h' },
    {
      what: 'Rate-limit refusals',
      count: sum(rateLimits.data?.series, (r) => r.refusals),
      to: '/admin/rate-limits?range=1h',
    },
  ];

  return (
    <section>
      <h1>Overview</h1>
      <ul className="admin-stats" aria-label="At a glance">
        <Stat
          title="Health"
          figure={health.data ? <StateBadge state={health.data.status} /> : health.isError ? 'unknown' : '…'}
        >
          <Link to="/admin/health">History of each check</Link>
        </Stat>
        <Stat title="Workers" figure={workers.data ? workerList.length : '…'}>
          <span className="small">
            {byState('running')} running · {byState('draining')} draining · {byState('stale')} stale
          </span>
        </Stat>
        <Stat title="Jobs waiting" figure={queues.data ? waiting : '…'}>
          <span className="small">{running} running</span>
        </Stat>
        <Stat title="Oldest waiting job" figure={queues.data ? formatAge(oldest || null) : '…'}>
          <span className="small">across every queue</span>
        </Stat>
      </ul>

      <h2>Health checks</h2>
      {health.isError && <ErrorPanel error={health.error} title="Could not read the health checks" />}
      {health.data && (
        <div className="admin-table-wrap">
          <table className="admin-table">
            <caption className="visually-hidden">Each health check now</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Latency
                </th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(health.data.checks).map(([name, check]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>
                    {/* A check that is off by design (no Redis in embedded mode) is not a failure. */}
                    <StateBadge state={check.status === 'disabled' ? 'off' : check.status} label={check.status} />
                  </td>
                  <td className="num">{Math.round(check.latency_ms)} ms</td>
                  <td className="wrap">{check.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Queues</h2>
      {queues.isError && <ErrorPanel error={queues.error} title="Could not read the queues" />}
      <div className="admin-sparklines">
        <div>
          <h3 className="small">Jobs waiting, since this page opened</h3>
          <Chart
            size="sparkline"
            option={sparkline(samples, (s) => s.waiting)}
            label={`Jobs waiting over the last ${samples.length} readings: now ${waiting}, at most ${Math.max(0, ...samples.map((s) => s.waiting))}.`}
            testId="sparkline-waiting"
          />
        </div>
        <div>
          <h3 className="small">Oldest waiting job's age, since this page opened</h3>
          <Chart
            size="sparkline"
            option={sparkline(samples, (s) => s.oldest)}
            label={`Oldest waiting job's age over the last ${samples.length} readings: now ${formatAge(oldest)}, at most ${formatAge(Math.max(0, ...samples.map((s) => s.oldest)))}.`}
            testId="sparkline-oldest"
          />
        </div>
      </div>
      <p className="small">
        <Link to="/admin/queues">Every queue and its jobs</Link> · <Link to="/admin/workers">Workers and pools</Link>
      </p>

      <h2>Errors in the last hour</h2>
      <div className="admin-table-wrap">
        <table className="admin-table" data-testid="errors-last-hour">
          <caption className="visually-hidden">Errors in the last hour</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col" className="num">
                Count
              </th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={e.what}>
                <th scope="row">
                  <Link to={e.to}>{e.what}</Link>
                </th>
                <td className="num">{e.count ?? '…'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {[syncs, ai, previews, rateLimits].some((q) => q.isError) && (
        <ErrorPanel
          error={[syncs, ai, previews, rateLimits].find((q) => q.isError)?.error}
          title="Could not count the last hour's errors"
        />
      )}

      <h2>Workers</h2>
      {workers.isError && <ErrorPanel error={workers.error} title="Could not read the workers" />}
      {workers.data &&
        (workerList.length === 0 ? (
          <p>No worker has reported a heartbeat.</p>
        ) : (
          <div className="admin-table-wrap">
            <table className="admin-table">
              <caption className="visually-hidden">Workers</caption>
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Jobs held
                  </th>
                  <th scope="col">Last heartbeat</th>
                </tr>
              </thead>
              <tbody>
                {workerList.map((w) => (
                  <tr key={w.worker_id}>
                    <th scope="row" className="wrap">
                      {w.worker_id}
                    </th>
                    <td>
                      <StateBadge state={w.state} />
                    </td>
                    <td className="num">{w.jobs_held}</td>
                    <td>{ago(w.last_heartbeat_at, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
