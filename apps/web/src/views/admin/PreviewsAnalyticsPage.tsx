import { useMemo } from 'react';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { Chart } from '../../components/admin/Chart.js';
import { bucketLabel, useAnalyticsWindow } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { usePreviewAnalyticsQuery } from '../../queries/admin.js';

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

/**
 * /admin/previews?range=&bucket=: preview failures: a heatmap of platform × hour of day (UTC), previews created and failed per
 * bucket, and failures by reason. Each chart has its table.
 */
export function PreviewsAnalyticsPage() {
  useTitle('Previews · Admin');
  const [query, picker] = useAnalyticsWindow();
  const data = usePreviewAnalyticsQuery(query);
  const a = data.data;

  const platforms = useMemo(() => [...new Set(a?.heatmap.map((c) => c.platform) ?? [])].sort(), [a]);
  const cell = (platform: string, hour: number) =>
    a?.heatmap.find((c) => c.platform === platform && c.hour === hour)?.failures ?? 0;
  const max = Math.max(1, ...(a?.heatmap.map((c) => c.failures) ?? []));
  const totalFailed = a?.series.reduce((n, s) => n + s.failed, 0) ?? 0;

  return (
    <section>
      <h1>Previews</h1>
      {picker}
      {data.isPending && <p aria-live="polite">Loading…</p>}
      {data.isError && <ErrorPanel error={data.error} title="Could not read the preview figures" />}
      {a && (
        <>
          <h2>Failures by platform and hour of day (UTC)</h2>
          {platforms.length === 0 ? (
            <p>No preview failed in this range.</p>
          ) : (
            <Chart
              size="tall"
              testId="preview-heatmap"
              label={`Heatmap of preview failures by platform and hour of day: ${totalFailed} failures, at most ${max} in one cell.`}
              option={{
                tooltip: { position: 'top' },
                grid: { left: 80, right: 20, top: 10, bottom: 90 },
                xAxis: { type: 'category', data: HOURS, name: 'Hour (UTC)', nameLocation: 'middle', nameGap: 28 },
                yAxis: { type: 'category', data: platforms },
                visualMap: {
                  min: 0,
                  max,
                  calculable: true,
                  orient: 'horizontal',
                  left: 'center',
                  bottom: 0,
                },
                series: [
                  {
                    type: 'heatmap',
                    name: 'Failures',
                    label: { show: true },
                    data: a.heatmap.map((c) => [c.hour, platforms.indexOf(c.platform), c.failures]),
                  },
                ],
              }}
              table={{
                caption: 'Preview failures by platform (rows) and hour of day, UTC (columns)',
                columns: ['Platform', ...HOURS],
                rows: platforms.map((p) => [p, ...HOURS.map((_, h) => cell(p, h))]),
              }}
            />
          )}

          <h2>Created and failed</h2>
          <Chart
            testId="preview-series"
            label={`Previews created and failed per bucket: ${a.series.reduce((n, s) => n + s.created, 0)} created, ${totalFailed} failed.`}
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 50, right: 20, top: 40, bottom: 40 },
              xAxis: { type: 'category', data: a.series.map((s) => bucketLabel(s.t, a.range.bucket_seconds)) },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                { type: 'bar', name: 'Created', data: a.series.map((s) => s.created) },
                { type: 'bar', name: 'Failed', data: a.series.map((s) => s.failed) },
              ],
            }}
            table={{
              caption: 'Previews created and failed per bucket',
              columns: ['From', 'Created', 'Failed'],
              rows: a.series.map((s) => [bucketLabel(s.t, a.range.bucket_seconds), s.created, s.failed]),
            }}
          />

          <h2>Failures by reason</h2>
          {a.by_reason.length === 0 ? (
            <p>No failure in this range.</p>
          ) : (
            <Chart
              testId="preview-reasons"
              label={`Preview failures by reason: ${a.by_reason.map((r) => `${r.reason} ${r.count}`).join(', ')}.`}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 160, right: 30, top: 10, bottom: 30 },
                xAxis: { type: 'value', minInterval: 1 },
                yAxis: { type: 'category', inverse: true, data: a.by_reason.map((r) => r.reason) },
                series: [{ type: 'bar', name: 'Failures', data: a.by_reason.map((r) => r.count) }],
              }}
              table={{
                caption: 'Preview failures by reason, most first',
                columns: ['Reason', 'Failures'],
                rows: a.by_reason.map((r) => [r.reason, r.count]),
              }}
            />
          )}
        </>
      )}
    </section>
  );
}
