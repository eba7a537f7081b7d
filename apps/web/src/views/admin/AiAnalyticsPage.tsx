import { useMemo } from 'react';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { Chart, DataTable } from '../../components/admin/Chart.js';
import {
  bucketLabel,
  formatMs,
  formatRate,
  PercentilesNote,
  Stat,
  useAnalyticsWindow,
} from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { useAiAnalyticsQuery } from '../../queries/admin.js';

/**
 * /admin/ai?range=&bucket=: AI jobs per bucket (completed, failed), by action, provider and outcome with run times and tokens
 * where the provider reports them, and how often suggestions are approved or rejected.
 */
export function AiAnalyticsPage() {
  useTitle('AI · Admin');
  const [query, picker] = useAnalyticsWindow();
  const data = useAiAnalyticsQuery(query);
  const a = data.data;

  // Jobs per action, one bar per outcome (stacked), summed over providers.
  const byAction = useMemo(() => {
    const actions = [...new Set(a?.by_action.map((r) => r.action) ?? [])].sort();
    const outcomes = [...new Set(a?.by_action.map((r) => r.outcome) ?? [])].sort();
    const count = (action: string, outcome: string) =>
      (a?.by_action ?? []).filter((r) => r.action === action && r.outcome === outcome).reduce((n, r) => n + r.count, 0);
    return { actions, outcomes, count };
  }, [a]);
  // Run time per action and provider (completed jobs only: a failure's time says little).
  const timed = (a?.by_action ?? []).filter((r) => r.outcome === 'completed' && r.p50_ms !== null);

  return (
    <section>
      <h1>AI</h1>
      {picker}
      {data.isPending && <p aria-live="polite">Loading…</p>}
      {data.isError && <ErrorPanel error={data.error} title="Could not read the AI figures" />}
      {a && (
        <>
          <ul className="admin-stats" aria-label="Suggestions">
            <Stat title="Suggestions" figure={a.suggestions.total} />
            <Stat title="Approved" figure={formatRate(a.suggestions.approval_rate)}>
              <span className="small">approved, applied or reverted</span>
            </Stat>
            <Stat title="Rejected" figure={formatRate(a.suggestions.rejection_rate)} />
          </ul>

          <h2>Jobs over time</h2>
          <Chart
            testId="ai-series"
            label={`AI jobs per bucket: ${a.series.reduce((n, s) => n + s.completed, 0)} completed, ${a.series.reduce((n, s) => n + s.failed, 0)} failed.`}
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 50, right: 20, top: 40, bottom: 40 },
              xAxis: { type: 'category', data: a.series.map((s) => bucketLabel(s.t, a.range.bucket_seconds)) },
              yAxis: { type: 'value', minInterval: 1 },
              series: [
                { type: 'bar', stack: 'jobs', name: 'Completed', data: a.series.map((s) => s.completed) },
                { type: 'bar', stack: 'jobs', name: 'Failed', data: a.series.map((s) => s.failed) },
              ],
            }}
            table={{
              caption: 'AI jobs completed and failed per bucket',
              columns: ['From', 'Completed', 'Failed'],
              rows: a.series.map((s) => [bucketLabel(s.t, a.range.bucket_seconds), s.completed, s.failed]),
            }}
          />

          <h2>By action and outcome</h2>
          <Chart
            testId="ai-actions"
            label={`AI jobs by action: ${byAction.actions.map((act) => `${act} ${byAction.outcomes.reduce((n, o) => n + byAction.count(act, o), 0)}`).join(', ') || 'none'}.`}
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 50, right: 20, top: 40, bottom: 40 },
              xAxis: { type: 'category', data: byAction.actions },
              yAxis: { type: 'value', minInterval: 1 },
              series: byAction.outcomes.map((o) => ({
                type: 'bar' as const,
                stack: 'outcome',
                name: o,
                data: byAction.actions.map((act) => byAction.count(act, o)),
              })),
            }}
          />
          <DataTable
            table={{
              caption: 'AI jobs by action, provider and outcome',
              columns: ['Action', 'Provider', 'Outcome', 'Jobs', 'p50', 'p95', 'Prompt tokens', 'Completion tokens'],
              rows: a.by_action.map((r) => [
                r.action,
                r.provider,
                r.outcome,
                r.count,
                formatMs(r.p50_ms),
                formatMs(r.p95_ms),
                r.prompt_tokens ?? '–',
                r.completion_tokens ?? '–',
              ]),
            }}
          />

          <h2>Run times of completed jobs</h2>
          <PercentilesNote range={a.range} />
          {timed.length === 0 ? (
            <p>No job completed in this range.</p>
          ) : (
            <Chart
              testId="ai-durations"
              label={`Run time of completed AI jobs, p50 and p95, per action and provider: ${timed.map((r) => `${r.action} on ${r.provider} p50 ${formatMs(r.p50_ms)}, p95 ${formatMs(r.p95_ms)}`).join('; ')}.`}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 60, right: 20, top: 40, bottom: 40 },
                xAxis: { type: 'category', data: timed.map((r) => `${r.action} (${r.provider})`) },
                yAxis: { type: 'value', name: 'ms' },
                series: [
                  { type: 'bar', name: 'p50', data: timed.map((r) => r.p50_ms ?? 0) },
                  { type: 'bar', name: 'p95', data: timed.map((r) => r.p95_ms ?? 0) },
                ],
              }}
            />
          )}

          <h2>Suggestions by state</h2>
          <DataTable
            table={{
              caption: 'Suggestions created in the range, by state',
              columns: ['State', 'Suggestions'],
              rows: Object.entries(a.suggestions.by_state).map(([state, n]) => [state, n]),
            }}
          />
        </>
      )}
    </section>
  );
}
