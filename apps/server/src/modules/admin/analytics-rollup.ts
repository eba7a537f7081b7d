import type { Logger } from '../../infra/logger.js';
import type { Database, SqlExecutor } from '../../infra/db.js';

/**
 * Hourly, daily and weekly roll-ups of the admin analytics' three largest sources (AI jobs and syncs: a million rows a
 * year on a busy instance; rate-limit refusals: a row per minute, route, user and IP), so that a range of months reads
 * a few thousand rows instead of every row.
 *
 * - `hour` rows: per hour and status, the count (and, for syncs, a histogram of durations): the time series.
 *   Refusals have no status: one row per hour.
 * - `day` rows: per day and AI action/provider/status (or sync status/error code), the count, token sums and a
 *   histogram of durations: the breakdowns. Refusals are counted three ways, each its own rows: d1 `route` (d2 the
 *   route, d3 the limit), d1 `user` (d2 the user id) and d1 `ip` (d2 the address).
 * - `week` rows: a 7-day block's day rows summed, written when its last day is rolled (a year reads 52 of them).
 *
 * A day is rolled once it has settled (it ended a day ago and holds no job still under way, up to a week), in one
 * transaction per day (a crash leaves the day unrolled, to be rolled again); readers take rolled hours and days from
 * here and the rest of the range from the raw rows (see {@link RollupReader}).
 */

/** Histogram bins per power of two: bin b holds durations in [2^(b/4), 2^((b+1)/4)) ms. */
const BINS_PER_OCTAVE = 4;
/** The last bin holds 2^24 ms (4.7 hours) and over; bin 0 holds everything under 2^(1/4) ms. */
const LAST_BIN = 24 * BINS_PER_OCTAVE - 1;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Weeks are 7-day blocks from the epoch (Thursdays, as it happens): internal, never shown. */
const WEEK_MS = 7 * DAY_MS;
/** A day is rolled once it ended this long ago … */
const SETTLE_MS = DAY_MS;
/** … and holds no job still under way, unless the day ended this long ago (a job stuck that long is rolled as is). */
const STUCK_MS = 7 * DAY_MS;

export type RollupSource = 'ai' | 'syncs' | 'refusals';
export type Grain = 'hour' | 'day' | 'week';
export const ROLLUP_SOURCES: readonly RollupSource[] = ['ai', 'syncs', 'refusals'];

/** A duration histogram, summed from rows and roll-ups; percentiles are estimated from its bins. */
export class Histogram {
  private readonly counts = new Map<number, number>();
  total = 0;

  add(bin: number, count: number): void {
    if (count <= 0) return;
    this.counts.set(bin, (this.counts.get(bin) ?? 0) + count);
    this.total += count;
  }

  merge(other: Histogram): void {
    for (const [b, c] of other.counts) this.add(b, c);
  }

  /** Adds a stored histogram: counts of consecutive bins starting at `lo`. */
  addStored(lo: number, counts: readonly number[]): void {
    counts.forEach((c, i) => this.add(lo + i, Number(c)));
  }

  /** The histogram as stored: the first non-empty bin and the counts from there to the last non-empty one. */
  stored(): { lo: number; hist: number[] } {
    if (this.counts.size === 0) return { lo: 0, hist: [] };
    const bins = [...this.counts.keys()];
    const lo = Math.min(...bins);
    const hist = new Array<number>(Math.max(...bins) - lo + 1).fill(0);
    for (const [b, c] of this.counts) hist[b - lo] = c;
    return { lo, hist };
  }

  /**
   * The p-th percentile (0–1) the way SQL's percentile_cont computes it (interpolating between the two values
   * around rank p·(n−1)), each value taken as its bin's geometric middle: within 2^(1/8) − 1 (9.1%) of the exact
   * percentile for durations from 1 ms to 4.7 hours. Null when the histogram is empty.
   */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = p * (this.total - 1);
    return interpolate(rank, this.binAt(Math.floor(rank)), this.binAt(Math.ceil(rank)));
  }

  /** The bin holding the value of 0-based rank `rank` in ascending order. */
  private binAt(rank: number): number {
    let seen = 0;
    const bins = [...this.counts.keys()].sort((x, y) => x - y);
    for (const b of bins) {
      seen += this.counts.get(b)!;
      if (rank < seen) return b;
    }
    return bins.at(-1)!;
  }
}

const middle = (bin: number) => 2 ** ((bin + 0.5) / BINS_PER_OCTAVE);

/** The value at `rank` between the values of ranks floor(rank) (in bin `a`) and ceil(rank) (in bin `b`). */
function interpolate(rank: number, a: number, b: number): number {
  return middle(a) + (rank - Math.floor(rank)) * (middle(b) - middle(a));
}

/** The percentiles the answers give. */
export const PERCENTILES = { p50: 0.5, p95: 0.95 } as const;
type PercentileName = keyof typeof PERCENTILES;

/**
 * SQL over `bins` (rows of `key` columns, `bin`, `c`): per key, the total and, for each of PERCENTILES, the bins
 * holding the values of ranks floor and ceil of p·(total − 1) (`p50_a`, `p50_b`, …), so that a long series needs
 * a few numbers per bucket rather than every bin. The ranks are computed in float8, as in JavaScript.
 */
function rankedBinsSql(bins: string, key: string): string {
  const picks = Object.entries(PERCENTILES).flatMap(([name, p]) =>
    (['floor', 'ceil'] as const).map(
      (f, i) => `min(bin) filter (where cum > ${f}(${p}::float8 * (total - 1))) as ${name}_${i === 0 ? 'a' : 'b'}`,
    ),
  );
  return `with b as (${bins}),
               t as (select ${key}, bin, sum(c) over (partition by ${key} order by bin) as cum,
                            sum(c) over (partition by ${key}) as total
                       from b)
          select ${key}, max(total)::int as total, ${picks.join(', ')} from t group by ${key}`;
}

/** A percentile from a row of rankedBinsSql. */
function rankedPercentile(row: Row, name: PercentileName): number | null {
  const total = Number(row.total);
  if (!(total > 0)) return null;
  return interpolate(PERCENTILES[name] * (total - 1), Number(row[`${name}_a`]), Number(row[`${name}_b`]));
}

/** SQL for a duration's bin (null stays null: greatest() alone would read it as 1 ms). */
const binSql = (ms: string) =>
  `case when (${ms}) is not null
        then least(${LAST_BIN}, floor(ln(greatest((${ms})::float8, 1)) / ln(2) * ${BINS_PER_OCTAVE}))::int end`;
const binOf = (interval: string, column: string) => `date_bin(interval '${interval}', ${column}, timestamptz 'epoch')`;

/** A day's refusals in [$1, $2) counted by one dimension: d1 the dimension's name, d2 and d3 its columns. */
const refusalsBy = (name: string, d2: string, d3: string) =>
  `select ${binOf('1 day', 'minute')} as at, '${name}' as d1, ${d2} as d2, ${d3} as d3, null::int as bin,
          sum(count)::int as n, null::bigint as pt, null::bigint as ct
     from rate_limit_refusals where minute >= $1 and minute < $2
    group by 1, 2, 3, 4`;

/**
 * Each source's rows in [$1, $2) grouped the way a roll-up holds them, one row per (at, d1, d2, d3, duration bin):
 * the same SQL serves the roll-up job and the raw edges of a range read.
 */
const SHAPES: Record<RollupSource, Record<'hour' | 'day', string>> = {
  ai: {
    hour: `select ${binOf('1 hour', 'created_at')} as at, status as d1, '' as d2, '' as d3, null::int as bin,
                  count(*)::int as n, null::bigint as pt, null::bigint as ct
             from ai_jobs where created_at >= $1 and created_at < $2
            group by 1, 2`,
    day: `select ${binOf('1 day', 'created_at')} as at, action as d1, coalesce(provider, 'unknown') as d2, status as d3,
                 ${binSql('extract(epoch from finished_at - started_at) * 1000')} as bin,
                 count(*)::int as n, sum(prompt_tokens)::bigint as pt, sum(completion_tokens)::bigint as ct
            from ai_jobs where created_at >= $1 and created_at < $2
           group by 1, 2, 3, 4, 5`,
  },
  syncs: {
    hour: `select ${binOf('1 hour', 'created_at')} as at, status as d1, '' as d2, '' as d3,
                  ${binSql('duration_ms')} as bin, count(*)::int as n, null::bigint as pt, null::bigint as ct
             from repo_syncs where created_at >= $1 and created_at < $2
            group by 1, 2, 5`,
    day: `select ${binOf('1 day', 'created_at')} as at, status as d1, coalesce(error_code, '') as d2, '' as d3,
                 ${binSql('duration_ms')} as bin, count(*)::int as n, null::bigint as pt, null::bigint as ct
            from repo_syncs where created_at >= $1 and created_at < $2
           group by 1, 2, 3, 5`,
  },
  refusals: {
    hour: `select ${binOf('1 hour', 'minute')} as at, '' as d1, '' as d2, '' as d3, null::int as bin,
                  sum(count)::int as n, null::bigint as pt, null::bigint as ct
             from rate_limit_refusals where minute >= $1 and minute < $2
            group by 1`,
    day: [
      refusalsBy('route', 'route', 'limit_name'),
      refusalsBy('user', 'user_id', "''"),
      refusalsBy('ip', 'ip', "''"),
    ].join(' union all '),
  },
};

/** Where each source's rows are and how its roll-ups read. */
const SOURCES: Record<
  RollupSource,
  {
    table: string;
    /** The rows' time column. */
    time: string;
    /** Statuses of a row still under way: a day holding one is not rolled yet. */
    underWay: readonly string[];
    /** Whether its rows carry durations (histograms). */
    durations: boolean;
    /** The series from day rows: the column that is the status, and the rows to read (each counted once). */
    daySeries: { status: string; where: string };
  }
> = {
  ai: {
    table: 'ai_jobs',
    time: 'created_at',
    underWay: ['queued', 'running'],
    durations: true,
    daySeries: { status: 'd3', where: '' },
  },
  syncs: {
    table: 'repo_syncs',
    time: 'created_at',
    underWay: ['queued', 'running', 'updating_files', 'cleaning', 'finalizing'],
    durations: true,
    daySeries: { status: 'd1', where: '' },
  },
  refusals: {
    table: 'rate_limit_refusals',
    time: 'minute',
    underWay: [],
    durations: false,
    daySeries: { status: "''", where: `and d1 = 'route'` },
  },
};

/**
 * One group of rows: a roll-up row, or the same shape summed from raw rows. Its percentiles are read from `hist`, or
 * from `ranked` where SQL picked them (see rankedBinsSql).
 */
export interface Cell {
  ranked?: Row;
  at: number;
  d1: string;
  d2: string;
  d3: string;
  n: number;
  promptTokens: number | null;
  completionTokens: number | null;
  hist: Histogram;
}

type Row = Record<string, unknown>;

const addNullable = (a: number | null, b: unknown) => (b === null || b === undefined ? a : (a ?? 0) + Number(b));

/** Sums shape rows (or roll-up rows) into cells keyed by `key` (by default: at and the three dimensions). */
export function cells(rows: Row[], key = (r: Row) => `${toMs(r.at)}\u0000${r.d1}\u0000${r.d2}\u0000${r.d3}`): Cell[] {
  const out = new Map<string, Cell>();
  for (const r of rows) {
    const k = key(r);
    let c = out.get(k);
    if (!c) {
      c = {
        at: toMs(r.at),
        d1: String(r.d1),
        d2: String(r.d2 ?? ''),
        d3: String(r.d3 ?? ''),
        n: 0,
        promptTokens: null,
        completionTokens: null,
        hist: new Histogram(),
      };
      out.set(k, c);
    }
    c.n += Number(r.n);
    c.promptTokens = addNullable(c.promptTokens, r.pt);
    c.completionTokens = addNullable(c.completionTokens, r.ct);
    if (Array.isArray(r.hist)) c.hist.addStored(Number(r.hist_lo), r.hist as number[]);
    else if (r.bin !== null && r.bin !== undefined) c.hist.add(Number(r.bin), Number(r.bin_n ?? r.n));
  }
  return [...out.values()];
}

/** A cell's p50 or p95. */
export function percentileOf(cell: Cell, name: PercentileName): number | null {
  return cell.ranked ? rankedPercentile(cell.ranked, name) : cell.hist.percentile(PERCENTILES[name]);
}

function toMs(v: unknown): number {
  if (typeof v === 'number') return v;
  return v instanceof Date ? v.getTime() : new Date(String(v)).getTime();
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

/**
 * The roll-up rows matching `where`, summed per (d1, d2, d3): counts and token sums, then their histograms' bins as
 * rows of n = 0 (their count is in the sums), in the shape `cells` takes.
 */
async function summed(sql: SqlExecutor, source: RollupSource, where: string, values: unknown[]): Promise<Row[]> {
  const sums = await sql.executeSql(
    `select d1, d2, d3, sum(n)::int as n, sum(prompt_tokens)::bigint as pt, sum(completion_tokens)::bigint as ct
       from analytics_rollups where ${where} group by 1, 2, 3`,
    values,
  );
  if (!SOURCES[source].durations) return sums.rows;
  const bins = await sql.executeSql(
    `select d1, d2, d3, hist_lo + u.i::int - 1 as bin, 0 as n, sum(u.c)::int as bin_n
       from analytics_rollups, unnest(hist) with ordinality as u(c, i) where ${where} group by 1, 2, 3, 4`,
    values,
  );
  return [...sums.rows, ...bins.rows];
}

/** Writes cells as roll-up rows of a grain. */
async function insertCells(sql: SqlExecutor, source: RollupSource, grain: Grain, grouped: Cell[]): Promise<void> {
  if (grouped.length === 0) return;
  const values: unknown[] = [];
  const tuples = grouped.map((c) => {
    const { lo, hist } = c.hist.stored();
    const row: unknown[] = [source, grain, new Date(c.at).toISOString(), c.d1, c.d2, c.d3, c.n, c.promptTokens];
    row.push(c.completionTokens, lo, hist);
    const base = values.length;
    values.push(...row);
    return `(${row.map((_, i) => `$${base + i + 1}`).join(', ')})`;
  });
  await sql.executeSql(
    `insert into analytics_rollups (source, grain, at, d1, d2, d3, n, prompt_tokens, completion_tokens, hist_lo, hist)
     values ${tuples.join(', ')}`,
    values,
  );
}

/** Rolls settled days into analytics_rollups; run by workers on a timer (several at once is safe). */
export class AnalyticsRollups {
  constructor(
    private readonly db: Database,
    private readonly logger?: Logger,
  ) {}

  /** Rolls every settled day not rolled yet (at most `maxDays` per source); returns the days rolled. */
  async rollUp(now = Date.now(), maxDays = 400): Promise<number> {
    let rolled = 0;
    for (const source of ROLLUP_SOURCES) {
      for (let i = 0; i < maxDays; i++) {
        const day = await this.rollNextDay(source, now);
        if (day === undefined) break;
        rolled++;
      }
    }
    if (rolled > 0) {
      // The planner's statistics (the embedded database has no autovacuum to refresh them).
      await this.db.sql.executeSql('analyze analytics_rollups');
      this.logger?.info({ days: rolled }, 'analytics roll-ups updated');
    }
    return rolled;
  }

  /** Where each source is rolled to (epoch ms; undefined: nothing rolled yet). */
  async rolledUntil(): Promise<Partial<Record<RollupSource, number>>> {
    const { rows } = await this.db.sql.executeSql(`select source, rolled_until from analytics_rollup_state`);
    return Object.fromEntries(rows.map((r) => [String(r.source), toMs(r.rolled_until)]));
  }

  /** Rolls the source's next settled day, in one transaction; the day's start, or undefined when none is due. */
  private async rollNextDay(source: RollupSource, now: number): Promise<number | undefined> {
    const { table, time, underWay } = SOURCES[source];
    return this.db.transaction(async (tx) => {
      // The state row is the lock: workers rolling at once take turns, and each re-reads where the last one stopped.
      const { rows } = await tx.sql.executeSql(
        `select rolled_until from analytics_rollup_state where source = $1 for update`,
        [source],
      );
      let day: number;
      if (rows[0]) day = toMs(rows[0].rolled_until);
      else {
        const first = await tx.sql.executeSql(`select min(${time}) as at from ${table}`);
        if (first.rows[0]?.at === null || first.rows[0]?.at === undefined) return undefined;
        day = floorTo(toMs(first.rows[0].at), DAY_MS);
      }
      const end = day + DAY_MS;
      if (end > now - SETTLE_MS) return undefined;
      const range = [new Date(day).toISOString(), new Date(end).toISOString()];
      const hourRows = (await tx.sql.executeSql(SHAPES[source].hour, range)).rows;
      const under = hourRows.some((r) => underWay.includes(String(r.d1)));
      if (under && end > now - STUCK_MS) return undefined;
      const dayRows = (await tx.sql.executeSql(SHAPES[source].day, range)).rows;
      await tx.sql.executeSql(
        `delete from analytics_rollups where source = $1 and grain in ('hour', 'day') and at >= $2 and at < $3`,
        [source, ...range],
      );
      await insertCells(tx.sql, source, 'hour', cells(hourRows));
      await insertCells(tx.sql, source, 'day', cells(dayRows));
      if (end % WEEK_MS === 0) {
        // The last day of a week: the week's row, summed from its day rows (a range of months reads these).
        const week = [new Date(end - WEEK_MS).toISOString(), range[1]];
        const days = await summed(tx.sql, source, `source = $1 and grain = 'day' and at >= $2 and at < $3`, [
          source,
          ...week,
        ]);
        await tx.sql.executeSql(`delete from analytics_rollups where source = $1 and grain = 'week' and at = $2`, [
          source,
          week[0],
        ]);
        await insertCells(tx.sql, source, 'week', cells(days.map((r) => ({ ...r, at: end - WEEK_MS }))));
      }
      await tx.sql.executeSql(
        `insert into analytics_rollup_state (source, rolled_until) values ($1, $2)
         on conflict (source) do update set rolled_until = excluded.rolled_until`,
        [source, range[1]],
      );
      return day;
    });
  }
}

/** A range [from, to) cut where the roll-ups end: the part read from roll-ups, and the parts read from rows. */
interface Split {
  rolled?: [number, number];
  raw: [number, number][];
}

function split(from: number, to: number, rolledUntil: number | undefined, unit: number): Split {
  if (rolledUntil === undefined) return { raw: [[from, to]] };
  const start = Math.min(Math.ceil(from / unit) * unit, to);
  const end = Math.max(start, Math.min(rolledUntil, floorTo(to, unit)));
  const raw: [number, number][] = [];
  if (from < start) raw.push([from, start]);
  if (end < to) raw.push([end, to]);
  return { rolled: end > start ? [start, end] : undefined, raw };
}

/**
 * The roll-up rows of a rolled part [start, end) (whole days): whole weeks from `week` rows, the days around them
 * from `day` rows. The SQL condition on `at` and `grain`, and its parameters from `$first` on.
 */
function weeksAndDays([start, end]: [number, number], first: number): { where: string; values: string[] } {
  const w0 = Math.ceil(start / WEEK_MS) * WEEK_MS;
  const w1 = floorTo(end, WEEK_MS);
  const iso = (t: number) => new Date(t).toISOString();
  if (w1 <= w0)
    return { where: `grain = 'day' and at >= $${first} and at < $${first + 1}`, values: [iso(start), iso(end)] };
  const $ = (k: number) => `$${first + k}`;
  return {
    where: `((grain = 'day' and (at >= ${$(0)} and at < ${$(1)} or at >= ${$(2)} and at < ${$(3)}))
             or (grain = 'week' and at >= ${$(1)} and at < ${$(2)}))`,
    values: [iso(start), iso(w0), iso(w1), iso(end)],
  };
}

/**
 * Reads a range of one source as cells: rolled hours, days and weeks from analytics_rollups, the edges (the part
 * before the first whole hour or day, and everything after the roll-ups end) from the raw rows.
 */
export class RollupReader {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly rolledUntil: Partial<Record<RollupSource, number>>,
  ) {}

  /**
   * [from, to) in buckets of `bucketSeconds` (whole hours; `from` on a bucket boundary): one cell per bucket and
   * status, `at` the bucket's start, with the durations' histogram for syncs. Buckets of whole days read the day
   * rows, others the hour rows.
   */
  async series(source: RollupSource, from: number, to: number, bucketSeconds: number): Promise<Cell[]> {
    const daily = bucketSeconds % 86_400 === 0;
    const s = split(from, to, this.rolledUntil[source], daily ? DAY_MS : HOUR_MS);
    const rows: Row[] = [];
    for (const [a, b] of s.raw) {
      const raw = await this.raw(source, 'hour', a, b);
      rows.push(...raw.map((r) => ({ ...r, at: floorTo(toMs(r.at), bucketSeconds * 1000) })));
    }
    const ranked: Row[] = [];
    if (s.rolled) {
      const { status, where: only } = daily ? SOURCES[source].daySeries : { status: 'd1', where: '' };
      const bucket = `date_bin(make_interval(secs => $4), at, timestamptz 'epoch')`;
      const where = `source = $1 and grain = '${daily ? 'day' : 'hour'}' and at >= $2 and at < $3 ${only}`;
      const values = [source, ...s.rolled.map((t) => new Date(t).toISOString()), bucketSeconds];
      const sums = await this.sql.executeSql(
        `select ${bucket} as at, ${status} as d1, sum(n)::int as n from analytics_rollups where ${where} group by 1, 2`,
        values,
      );
      rows.push(...sums.rows);
      if (source === 'syncs') {
        // Run times of completed syncs. Per bucket, SQL picks the percentiles' bins (a year of days holds 10,000
        // bucket × bin pairs, too many to hand over); the buckets the raw rows add to get every bin, merged here.
        const bins = `select ${bucket} as at, hist_lo + u.i::int - 1 as bin, sum(u.c)::int as c
                        from analytics_rollups, unnest(hist) with ordinality as u(c, i)
                       where ${where} and d1 = 'completed' group by 1, 2`;
        ranked.push(...(await this.sql.executeSql(rankedBinsSql(bins, 'at'), values)).rows);
        const edges = [...new Set(rows.filter((r) => r.bin !== undefined).map((r) => toMs(r.at)))];
        if (edges.length > 0) {
          const edgeBins = await this.sql.executeSql(
            `select at, 'completed' as d1, bin, 0 as n, c as bin_n from (${bins}) b where at = any($5::timestamptz[])`,
            [...values, edges.map((t) => new Date(t).toISOString())],
          );
          rows.push(...edgeBins.rows);
        }
      }
    }
    const out = cells(rows, (r) => `${toMs(r.at)}\u0000${r.d1}`);
    const completed = new Map(out.filter((c) => c.d1 === 'completed').map((c) => [c.at, c]));
    for (const r of ranked) {
      const c = completed.get(toMs(r.at));
      if (c && c.hist.total === 0) c.ranked = r;
    }
    return out;
  }

  /** The cells of [from, to) summed over the whole range: one cell per (d1, d2, d3). */
  async breakdown(source: RollupSource, from: number, to: number): Promise<Cell[]> {
    const s = split(from, to, this.rolledUntil[source], DAY_MS);
    const rows: Row[] = [];
    if (s.rolled) {
      const { where, values } = weeksAndDays(s.rolled, 2);
      rows.push(...(await summed(this.sql, source, `source = $1 and ${where}`, [source, ...values])));
    }
    for (const [a, b] of s.raw) rows.push(...(await this.raw(source, 'day', a, b)));
    return cells(
      rows.map((r) => ({ ...r, at: 0 })),
      (r) => `${r.d1}\u0000${r.d2}\u0000${r.d3}`,
    );
  }

  private async raw(source: RollupSource, grain: 'hour' | 'day', from: number, to: number): Promise<Row[]> {
    const range = [new Date(from).toISOString(), new Date(to).toISOString()];
    return (await this.sql.executeSql(SHAPES[source][grain], range)).rows;
  }
}
