import type { AiAnalytics, AnalyticsQuery, PreviewAnalytics, RateLimitAnalytics, SyncAnalytics } from '@hivesync/core';
import type { Logger } from '../../infra/logger.js';
import type { Database } from '../../infra/db.js';
import type { AuthContext } from '../auth/auth.types.js';
import { badInput, requireInstanceAdmin } from './admin-access.js';
import {
  AnalyticsRollups,
  Histogram,
  percentileOf,
  RollupReader,
  type Cell,
  type RollupSource,
} from './analytics-rollup.js';
import { AnalyticsRepository, type Window } from './analytics.repository.js';

/** The longest range an analytics query may cover. */
export const MAX_RANGE_DAYS = 366;
/** The smallest bucket, in seconds. */
export const MIN_BUCKET_SECONDS = 60;
/** The most buckets one answer may hold. */
export const MAX_BUCKETS = 2000;
/** Ranges longer than this (with buckets of whole hours) are read from the roll-ups. */
const EXACT_RANGE_MS = 7 * 86_400_000;
const DEFAULT_RANGE_MS = 24 * 3600 * 1000;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

type Row = Record<string, unknown>;

/**
 * Operational analytics for instance admins, each a time series with a chosen bucket computed in SQL over a
 * bounded range: preview failures, AI jobs and suggestions, syncs, rate-limit refusals.
 */
export class AnalyticsService {
  readonly repo: AnalyticsRepository;
  readonly rollups: AnalyticsRollups;

  constructor(
    private readonly db: Database,
    logger?: Logger,
  ) {
    this.repo = new AnalyticsRepository(db.sql);
    this.rollups = new AnalyticsRollups(db, logger);
  }

  /** A reader of the roll-ups for a window too long to read row by row (undefined: read the rows, exactly). */
  private async reader(w: Window): Promise<RollupReader | undefined> {
    // (`from` was aligned down to a bucket: a week asked for may span a bucket more.)
    const span = w.to.getTime() - w.from.getTime() - w.bucketSeconds * 1000;
    if (span <= EXACT_RANGE_MS || w.bucketSeconds % 3600 !== 0) return undefined;
    return new RollupReader(this.db.sql, await this.rollups.rolledUntil());
  }

  async previews(auth: AuthContext, query: AnalyticsQuery): Promise<PreviewAnalytics> {
    requireInstanceAdmin(auth);
    const w = resolveWindow(query);
    const [series, heatmap, reasons] = await Promise.all([
      this.repo.previewSeries(w),
      this.repo.previewHeatmap(w),
      this.repo.previewReasons(w),
    ]);
    return {
      range: rangeOf(w, 'exact'),
      series: fill(w, series, (r) => ({ created: int(r?.created), failed: int(r?.failed) })),
      heatmap: heatmap.map((r) => ({ platform: String(r.platform), hour: int(r.hour), failures: int(r.failures) })),
      by_reason: reasons.map((r) => ({ reason: String(r.reason), count: int(r.count) })),
    };
  }

  async ai(auth: AuthContext, query: AnalyticsQuery): Promise<AiAnalytics> {
    requireInstanceAdmin(auth);
    const w = resolveWindow(query);
    const reader = await this.reader(w);
    const [series, byAction, states] = await Promise.all([
      reader ? this.rolledSeries(reader, 'ai', w) : this.repo.aiSeries(w),
      reader ? this.rolledAiByAction(reader, w) : this.repo.aiByAction(w),
      this.repo.suggestionStates(w),
    ]);
    const byState = Object.fromEntries(states.map((r) => [String(r.state), int(r.count)]));
    const approved = (byState.approved ?? 0) + (byState.applied ?? 0) + (byState.reverted ?? 0);
    const rejected = byState.rejected ?? 0;
    const decided = approved + rejected;
    return {
      range: rangeOf(w, reader ? 'estimated' : 'exact'),
      series: fill(w, series, (r) => ({ completed: int(r?.completed), failed: int(r?.failed) })),
      by_action: byAction.map((r) => ({
        action: String(r.action),
        provider: String(r.provider),
        outcome: String(r.outcome) as AiAnalytics['by_action'][number]['outcome'],
        count: int(r.count),
        p50_ms: num(r.p50_ms),
        p95_ms: num(r.p95_ms),
        prompt_tokens: r.prompt_tokens === null ? null : int(r.prompt_tokens),
        completion_tokens: r.completion_tokens === null ? null : int(r.completion_tokens),
      })),
      suggestions: {
        total: Object.values(byState).reduce((a, b) => a + b, 0),
        by_state: byState,
        approval_rate: decided > 0 ? round(approved / decided, 4) : null,
        rejection_rate: decided > 0 ? round(rejected / decided, 4) : null,
      },
    };
  }

  async syncs(auth: AuthContext, query: AnalyticsQuery): Promise<SyncAnalytics> {
    requireInstanceAdmin(auth);
    const w = resolveWindow(query);
    const reader = await this.reader(w);
    const [series, [outcomes, errorsByCode]] = await Promise.all([
      reader ? this.rolledSeries(reader, 'syncs', w) : this.repo.syncSeries(w),
      reader ? this.rolledSyncBreakdown(reader, w) : Promise.all([this.repo.syncByOutcome(w), this.repo.syncErrors(w)]),
    ]);
    return {
      range: rangeOf(w, reader ? 'estimated' : 'exact'),
      series: fill(w, series, (r) => ({
        completed: int(r?.completed),
        failed: int(r?.failed),
        p50_ms: num(r?.p50_ms),
        p95_ms: num(r?.p95_ms),
      })),
      by_outcome: outcomes.map((r) => ({
        outcome: String(r.outcome),
        count: int(r.count),
        p50_ms: num(r.p50_ms),
        p95_ms: num(r.p95_ms),
      })),
      by_error: errorsByCode.map((r) => ({ code: String(r.code), count: int(r.count) })),
    };
  }

  /** The series rows (as the raw queries give them) of a source, from the roll-ups. */
  private async rolledSeries(reader: RollupReader, source: RollupSource, w: Window): Promise<Row[]> {
    const buckets = new Map<number, Row>();
    for (const c of await reader.series(source, w.from.getTime(), w.to.getTime(), w.bucketSeconds)) {
      const row = buckets.get(c.at) ?? { t: c.at / 1000 };
      buckets.set(c.at, row);
      if (source === 'refusals') row.refusals = int(row.refusals) + c.n;
      if (c.d1 === 'completed' || c.d1 === 'failed') row[c.d1] = int(row[c.d1]) + c.n;
      if (c.d1 === 'completed' && source === 'syncs') {
        row.p50_ms = percentileOf(c, 'p50');
        row.p95_ms = percentileOf(c, 'p95');
      }
    }
    return [...buckets.values()];
  }

  private async rolledAiByAction(reader: RollupReader, w: Window): Promise<Row[]> {
    const cells = await reader.breakdown('ai', w.from.getTime(), w.to.getTime());
    return cells
      .map((c) => ({
        action: c.d1,
        provider: c.d2,
        outcome: c.d3,
        count: c.n,
        p50_ms: percentileOf(c, 'p50'),
        p95_ms: percentileOf(c, 'p95'),
        prompt_tokens: c.promptTokens,
        completion_tokens: c.completionTokens,
      }))
      .sort((a, b) => byText(a.action, b.action) || byText(a.provider, b.provider) || byText(a.outcome, b.outcome));
  }

  /** Syncs by outcome and failed syncs by error code (the raw queries' rows), from the roll-ups. */
  private async rolledSyncBreakdown(reader: RollupReader, w: Window): Promise<[Row[], Row[]]> {
    const cells = await reader.breakdown('syncs', w.from.getTime(), w.to.getTime());
    const sum = (key: (c: Cell) => string | undefined) => {
      const out = new Map<string, { count: number; hist: Histogram }>();
      for (const c of cells) {
        const k = key(c);
        if (k === undefined) continue;
        const g = out.get(k) ?? { count: 0, hist: new Histogram() };
        g.count += c.n;
        g.hist.merge(c.hist);
        out.set(k, g);
      }
      return [...out].sort(([ka, a], [kb, b]) => b.count - a.count || byText(ka, kb));
    };
    const outcomes = sum((c) => c.d1).map(([outcome, g]) => ({
      outcome,
      count: g.count,
      p50_ms: g.hist.percentile(0.5),
      p95_ms: g.hist.percentile(0.95),
    }));
    const errors = sum((c) => (c.d1 === 'failed' ? c.d2 || 'unknown' : undefined))
      .slice(0, 50)
      .map(([code, g]) => ({ code, count: g.count }));
    return [outcomes, errors];
  }

  async rateLimits(auth: AuthContext, query: AnalyticsQuery): Promise<RateLimitAnalytics> {
    requireInstanceAdmin(auth);
    const w = resolveWindow(query);
    const reader = await this.reader(w);
    const [series, byRoute, byUser, byIp] = reader
      ? await Promise.all([this.rolledSeries(reader, 'refusals', w), this.rolledRefusals(reader, w)]).then(
          ([s, b]) => [s, ...b] as const,
        )
      : await Promise.all([
          this.repo.refusalSeries(w),
          this.repo.refusalsByRoute(w),
          this.repo.refusalsByUser(w),
          this.repo.refusalsByIp(w),
        ]);
    // Refusals are counts (no durations): exact from the roll-ups too.
    return {
      range: rangeOf(w, 'exact'),
      series: fill(w, series, (r) => ({ refusals: int(r?.refusals) })),
      by_route: byRoute.map((r) => ({ route: String(r.route), limit_name: String(r.limit_name), count: int(r.count) })),
      by_user: byUser.map((r) => ({
        user_id: String(r.user_id),
        email: r.email === null || r.email === undefined ? null : String(r.email),
        count: int(r.count),
      })),
      by_ip: byIp.map((r) => ({ ip: String(r.ip), count: int(r.count) })),
    };
  }

  /** Refusals by route, user and IP (the raw queries' rows: the top 50 of each), from the roll-ups. */
  private async rolledRefusals(reader: RollupReader, w: Window): Promise<[Row[], Row[], Row[]]> {
    const cells = await reader.breakdown('refusals', w.from.getTime(), w.to.getTime());
    const top = (dimension: string) =>
      cells
        .filter((c) => c.d1 === dimension)
        .sort((a, b) => b.n - a.n || byText(a.d2, b.d2) || byText(a.d3, b.d3))
        .slice(0, 50);
    const users = top('user');
    const emails = new Map(
      (await this.repo.userEmails(users.map((c) => c.d2))).map((r) => [String(r.id), r.email as string]),
    );
    return [
      top('route').map((c) => ({ route: c.d2, limit_name: c.d3, count: c.n })),
      users.map((c) => ({ user_id: c.d2, email: emails.get(c.d2) ?? null, count: c.n })),
      top('ip').map((c) => ({ ip: c.d2, count: c.n })),
    ];
  }
}

/**
 * The window of a query: `to` defaults to now, `from` to a day before `to`, the bucket to an hour. Refused with
 * 400 naming the limit: a bucket under a minute, a range over 366 days, `from` not before `to`, or more than
 * 2,000 buckets. `from` is aligned down to a bucket boundary (so buckets are the same whatever `from` was).
 */
export function resolveWindow(query: AnalyticsQuery, now = Date.now()): Window {
  const bucketSeconds = query.bucket === undefined ? 3600 : parseDuration(query.bucket);
  if (bucketSeconds < MIN_BUCKET_SECONDS) {
    throw badInput('bucket', `must be at least 1 minute (${MIN_BUCKET_SECONDS} s); got ${query.bucket}`);
  }
  const to = query.to === undefined ? now : Date.parse(query.to);
  const requestedFrom = query.from === undefined ? to - DEFAULT_RANGE_MS : Date.parse(query.from);
  if (requestedFrom >= to) throw badInput('from', 'must be before to');
  if (to - requestedFrom > MAX_RANGE_DAYS * 86_400_000) {
    throw badInput('from', `the range may cover at most ${MAX_RANGE_DAYS} days`);
  }
  const from = Math.floor(requestedFrom / 1000 / bucketSeconds) * bucketSeconds * 1000;
  const buckets = Math.ceil((to - from) / 1000 / bucketSeconds);
  if (buckets > MAX_BUCKETS) {
    throw badInput('bucket', `the range holds ${buckets} buckets of ${query.bucket}; at most ${MAX_BUCKETS}`);
  }
  return { from: new Date(from), to: new Date(to), bucketSeconds };
}

function parseDuration(text: string): number {
  const unit = text.at(-1) as keyof typeof UNIT_SECONDS;
  return Number(text.slice(0, -1)) * UNIT_SECONDS[unit];
}

function rangeOf(w: Window, percentiles: 'exact' | 'estimated') {
  return { from: w.from.toISOString(), to: w.to.toISOString(), bucket_seconds: w.bucketSeconds, percentiles };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every bucket of the window, in order, with the row SQL gave for it (or zeros where it gave none). */
function fill<T>(w: Window, rows: Row[], shape: (row: Row | undefined) => T): ({ t: string } & T)[] {
  const byStart = new Map(rows.map((r) => [Math.round(Number(r.t)), r]));
  const out: ({ t: string } & T)[] = [];
  for (let s = w.from.getTime() / 1000; s < w.to.getTime() / 1000; s += w.bucketSeconds) {
    out.push({ t: new Date(s * 1000).toISOString(), ...shape(byStart.get(s)) });
  }
  return out;
}

function int(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : round(Number(v), 1);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
