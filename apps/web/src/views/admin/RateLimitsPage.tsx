import { ErrorPanel } from '../../components/ErrorPanel.js';
import { Chart, DataTable } from '../../components/admin/Chart.js';
import { bucketLabel, useAnalyticsWindow } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { useRateLimitAnalyticsQuery } from '../../queries/admin.js';

/** /admin/rate-limits?range=&bucket=: requests refused by a rate limit, per bucket and by route, user and IP (top 50 each). */
export function RateLimitsPage() {
  useTitle('Rate limits · Admin');
  const [query, picker] = useAnalyticsWindow();
  const data = useRateLimitAnalyticsQuery(query);
  const a = data.data;

  return (
    <section>
      <h1>Rate limits</h1>
      {picker}
      {data.isPending && <p aria-live="polite">Loading…</p>}
      {data.isError && <ErrorPanel error={data.error} title="Could not read the rate-limit figures" />}
      {a && (
        <>
          <h2>Refusals over time</h2>
          <Chart
            testId="rate-limit-series"
            label={`Requests refused by a rate limit per bucket: ${a.series.reduce((n, s) => n + s.refusals, 0)} in the range.`}
            option={{
              tooltip: { trigger: 'axis' },
              grid: { left: 50, right: 20, top: 20, bottom: 40 },
              xAxis: { type: 'category', data: a.series.map((s) => bucketLabel(s.t, a.range.bucket_seconds)) },
              yAxis: { type: 'value', minInterval: 1 },
              series: [{ type: 'bar', name: 'Refusals', data: a.series.map((s) => s.refusals) }],
            }}
            table={{
              caption: 'Rate-limit refusals per bucket',
              columns: ['From', 'Refusals'],
              rows: a.series.map((s) => [bucketLabel(s.t, a.range.bucket_seconds), s.refusals]),
            }}
          />
          <h2>By route</h2>
          <DataTable
            table={{
              caption: 'Refusals by route and limit, most first',
              columns: ['Route', 'Limit', 'Refusals'],
              rows: a.by_route.map((r) => [r.route, r.limit_name, r.count]),
            }}
          />
          <h2>By user</h2>
          <DataTable
            table={{
              caption: 'Refusals by user, most first',
              columns: ['User', 'Refusals'],
              rows: a.by_user.map((r) => [r.email ?? r.user_id, r.count]),
            }}
          />
          <h2>By IP address</h2>
          <DataTable
            table={{
              caption: 'Refusals by IP address, most first',
              columns: ['IP address', 'Refusals'],
              rows: a.by_ip.map((r) => [r.ip, r.count]),
            }}
          />
        </>
      )}
    </section>
  );
}
