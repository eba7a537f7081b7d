import { useMemo, type ReactNode } from 'react';
import type { AnalyticsQuery, AnalyticsRange } from '@hivesync/sdk';
import { Link, useSearchParams } from 'react-router';
import {
  ANALYTICS_BUCKETS,
  ANALYTICS_RANGES,
  bucketOf,
  bucketsFor,
  isAnalyticsRange,
  rangeQuery,
  type AnalyticsRangeName,
} from '../../queries/admin.js';

/** Says so when an answer's run times are estimated from the roll-ups (ranges over a week) rather than exact. */
export function PercentilesNote({ range }: { range: AnalyticsRange }) {
  if (range.percentiles !== 'estimated') return null;
  return (
    <p className="muted small" data-testid="percentiles-estimated">
      Over a range this long, run times (p50, p95) are estimated from hourly and daily roll-ups: each is within 10% of
      the exact figure. Counts are exact.
    </p>
  );
}

/** A state in words in a pill whose colour (admin.css `.state-<state>`) is never the only sign. */
export function StateBadge({ state, label }: { state: string; label?: string }) {
  return <span className={`state state-${state}`}>{label ?? state}</span>;
}

/** A number of seconds as a person reads an age: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** How long ago an ISO time was, from `now` (ms). */
export function ago(iso: string, now: number): string {
  return `${formatAge((now - Date.parse(iso)) / 1000)} ago`;
}

/** Milliseconds in words, or a dash for none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatAge(ms / 1000);
}

/** A share (0..1) as a percentage, or a dash for none. */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`;
}

/** A bucket's start as a short label for a chart's axis: the time for a day or less, else the date. */
export function bucketLabel(iso: string, bucketSeconds: number): string {
  const d = new Date(iso);
  return bucketSeconds < 86_400
    ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** One figure at a glance, with a line under it. */
export function Stat({ title, figure, children }: { title: string; figure: ReactNode; children?: ReactNode }) {
  return (
    <li className="admin-stat">
      <h2>{title}</h2>
      <p className="figure">{figure}</p>
      {children}
    </li>
  );
}

/**
 * The pager of a table whose pages are the server's cursors, kept in the address (`?cursor=`): "First page" once past
 * it, "Next page" while the server gives a `next_cursor`.
 */
export function CursorPager({ label, nextCursor }: { label: string; nextCursor: string | null | undefined }) {
  const [params] = useSearchParams();
  const at = (cursor: string | null) => {
    const next = new URLSearchParams(params);
    if (cursor) next.set('cursor', cursor);
    else next.delete('cursor');
    const qs = next.toString();
    return qs ? `?${qs}` : '?';
  };
  return (
    <nav aria-label={label} className="pager">
      {params.get('cursor') && <Link to={at(null)}>First page</Link>}
      {nextCursor ? (
        <Link to={at(nextCursor)} className="button">
          Next page
        </Link>
      ) : (
        <span className="muted small">Last page.</span>
      )}
    </nav>
  );
}

/**
 * The analytics window in the address (`?range=24h&bucket=1h`; the range defaults to 24 hours, the bucket to the
 * range's own), as the query to send, and the selects that change it. A bucket that does not suit a newly chosen range
 * falls back to that range's default.
 */
export function useAnalyticsWindow(): [AnalyticsQuery, ReactNode] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('range');
  const range: AnalyticsRangeName = isAnalyticsRange(raw) ? raw : '24h';
  const bucket = bucketOf(range, params.get('bucket'));
  const minute = Math.floor(Date.now() / 60_000);
  const query = useMemo(() => rangeQuery(range, minute * 60_000, bucket), [range, bucket, minute]);
  const set = (name: 'range' | 'bucket', value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    if (name === 'range' && isAnalyticsRange(value)) next.set('bucket', bucketOf(value, next.get('bucket')));
    setParams(next);
  };
  const picker = (
    <form className="admin-range" aria-label="Range" onSubmit={(e) => e.preventDefault()}>
      <label>
        Range
        <select value={range} onChange={(e) => set('range', e.target.value)}>
          {Object.entries(ANALYTICS_RANGES).map(([value, r]) => (
            <option key={value} value={value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Bucket
        <select value={bucket} onChange={(e) => set('bucket', e.target.value)}>
          {bucketsFor(range).map((value) => (
            <option key={value} value={value}>
              {ANALYTICS_BUCKETS[value].label}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
  return [query, picker];
}
