import { useMemo } from 'react';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import type { HealthHistory } from '@hivesync/sdk';
import { Chart } from '../../components/admin/Chart.js';
import { StateBadge } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { useHealthHistoryQuery } from '../../queries/admin.js';

type Status = HealthHistory['checks'][number]['samples'][number]['status'];
// The worse of two states, for an hour with several samples.
const RANK: Record<Status, number> = { disabled: 0, ok: 1, degraded: 2, fail: 3 };
const HOURS = 24;

/** Each check's worst state in each of the last 24 hours (null where no sample was taken), oldest hour first. */
function byHour(history: HealthHistory) {
  const end = Date.parse(history.to);
  return history.checks.map((check) => {
    const hours: (Status | null)[] = Array.from({ length: HOURS }, () => null);
    for (const s of check.samples) {
      const i = HOURS - 1 - Math.floor((end - Date.parse(s.at)) / 3_600_000);
      if (i < 0 || i >= HOURS) continue;
      const was = hours[i];
      if (was === null || was === undefined || RANK[s.status] > RANK[was]) hours[i] = s.status;
    }
    const last = check.samples.at(-1);
    return { name: check.name, hours, last };
  });
}

/** The label of hour `i` of the strip: the hour it starts at (00 to 23), in the browser's time. */
const hourLabel = (to: string, i: number) =>
  String(new Date(Date.parse(to) - (HOURS - i) * 3_600_000).getHours()).padStart(2, '0');

/**
 * /admin/health: each deep-health check over the last 24 hours: its worst state hour by hour (a table, the colours
 * backed by words), and its latency as a chart.
 */
export function HealthPage() {
  useTitle('Health history · Admin');
  const history = useHealthHistoryQuery(HOURS);
  const rows = useMemo(() => (history.data ? byHour(history.data) : []), [history.data]);
  const h = history.data;

  return (
    <section>
      <h1>Health history</h1>
      <p>
        The last 24 hours of each check of <code>/health/deep</code>, as the server sampled them.
      </p>
      {history.isPending && <p aria-live="polite">Loading…</p>}
      {history.isError && <ErrorPanel error={history.error} title="Could not read the health history" />}
      {h && (
        <>
          {/* Wider than a narrow screen: the region scrolls, and takes the keyboard's focus to do so. */}
          <div className="admin-table-wrap" role="region" aria-label="Health checks, hour by hour" tabIndex={0}>
            <table className="admin-table health-table" data-testid="health-history">
              <caption>
                Worst state of each check, hour by hour (oldest first; the hour each starts at, your time)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Now</th>
                  {Array.from({ length: HOURS }, (_, i) => (
                    <th scope="col" key={i} className="hour">
                      <span className="visually-hidden">From </span>
                      {hourLabel(h.to, i)}
                      <span className="visually-hidden"> h</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.name}>
                    <th scope="row">{r.name}</th>
                    <td>
                      {r.last ? (
                        <StateBadge
                          state={r.last.status === 'disabled' ? 'off' : r.last.status}
                          label={r.last.status}
                        />
                      ) : (
                        'no sample'
                      )}
                      {r.last?.message && <span className="small"> {r.last.message}</span>}
                    </td>
                    {r.hours.map((s, i) => (
                      <td key={i} className={`hour h-${s ?? 'none'}`}>
                        {s === null ? <span className="visually-hidden">no sample</span> : STATE_SHORT[s]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Latency</h2>
          <Chart
            testId="health-latency"
            label={`Latency of each health check over the last 24 hours, in milliseconds: ${rows
              .map((r) => `${r.name} now ${r.last ? Math.round(r.last.latency_ms) : '–'} ms`)
              .join(', ')}.`}
            option={{
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 60, right: 20, top: 40, bottom: 40 },
              xAxis: { type: 'time' },
              yAxis: { type: 'value', name: 'ms' },
              series: h.checks.map((c) => ({
                type: 'line' as const,
                name: c.name,
                showSymbol: false,
                data: c.samples.map((s) => [s.at, Math.round(s.latency_ms)]),
              })),
            }}
          />
        </>
      )}
    </section>
  );
}

/** A state in one short word for the hour cells. */
const STATE_SHORT: Record<Status, string> = { ok: 'ok', degraded: 'deg.', fail: 'fail', disabled: 'off' };
