import { ErrorPanel } from '../../components/ErrorPanel.js';
import { Chart, DataTable } from '../../components/admin/Chart.js';
import { bucketLabel, formatMs, PercentilesNote, useAnalyticsWindow } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { useSyncAnalyticsQuery } from '../../queries/admin.js';

/** /admin/syncs?range=&bucket=: repository syncs per bucket by outcome, their run times, and failures by error code. */
export function SyncsPage() {
  useTitle('Syncs · Admin');
  const [query, picker] = useAnalyticsWindow();
  const data = useSyncAnalyticsQuery(query);
  const a = data.data;

  return (
    <section>
      <h1>Syncs</h1>
      {picker}
      {data.isPending && <p aria-live="polite">Loading…</p>}
      {data.isError && <ErrorPanel error={data.error} title="Could not read the sync figures" />}
      {a && (
        <>
          <h2>Syncs over time</h2>
          <Chart
            testId="sync-series"
            label={`Syncs per bucket: ${a.series.reduce((n, s) => n + s.completed, 0)} completed, ${a.series.reduce((n, s) => n + s.failed, 0)} failed.`}
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 50, right: 20, top: 40, bottom: 40 },
              xAxis: { type: 'category', data: a.series.map((s) => bucketLabel(s.t, a.range.bucket_seconds)) },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                { type: 'bar', stack: 'syncs', name: 'Completed', data: a.series.map((s) => s.completed) },
                { type: 'bar', stack: 'syncs', name: 'Failed', data: a.series.map((s) => s.failed) },
              ],
            }}
            table={{
              caption: 'Syncs completed and failed per bucket, with run times',
              columns: ['From', 'Completed', 'Failed', 'p50', 'p95'],
              rows: a.series.map((s) => [
                bucketLabel(s.t, a.range.bucket_seconds),
                s.completed,
                s.failed,
                formatMs(s.p50_ms),
                formatMs(s.p95_ms),
              ]),
            }}
          />

          <h2>Run time</h2>
          <PercentilesNote range={a.range} />
          <Chart
            testId="sync-durations"
            label="Sync run time per bucket, p50 and p95 in milliseconds (the table above has the figures)."
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 60, right: 20, top: 40, bottom: 40 },
              xAxis: { type: 'category', data: a.series.map((s) => bucketLabel(s.t, a.range.bucket_seconds)) },
              yAxis: { type: 'value', name: 'ms' },
              series: [
                { type: 'line', name: 'p50', connectNulls: true, data: a.series.map((s) => s.p50_ms) },
                { type: 'line', name: 'p95', connectNulls: true, data: a.series.map((s) => s.p95_ms) },
              ],
            }}
          />

          <h2>By outcome</h2>
          <DataTable
            table={{
              caption: 'Syncs by outcome',
              columns: ['Outcome', 'Syncs', 'p50', 'p95'],
              rows: a.by_outcome.map((r) => [r.outcome, r.count, formatMs(r.p50_ms), formatMs(r.p95_ms)]),
            }}
          />
          <h2>Failures by error</h2>
          <DataTable
            table={{
              caption: 'Failed syncs by error code',
              columns: ['Error code', 'Syncs'],
              rows: a.by_error.map((r) => [r.code, r.count]),
            }}
          />
        </>
      )}
    </section>
  );
}
