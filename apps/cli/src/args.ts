import { InvalidArgumentError } from 'commander';

/** A commander parser for an integer option from `min` to `max`. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** The server's bounds for scheduled syncs, in minutes (5 minutes to a week). */
export const SYNC_INTERVAL_MIN = 5;
export const SYNC_INTERVAL_MAX = 10_080;

/**
 * Parses --sync-interval: minutes between scheduled syncs, or `'off'` for none (not null: commander turns a null
 * from a parser into ''). `syncIntervalMinutes()` makes it the API's value.
 */
export function parseSyncInterval(value: string): number | 'off' {
  if (/^(off|none|never)$/i.test(value.trim())) return 'off';
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < SYNC_INTERVAL_MIN || n > SYNC_INTERVAL_MAX) {
    throw new InvalidArgumentError(
      `must be a number of minutes from ${SYNC_INTERVAL_MIN} to ${SYNC_INTERVAL_MAX} (a week), or "off"`,
    );
  }
  return n;
}

/** The API's `sync_interval_minutes` for a parsed --sync-interval: null for off. */
export function syncIntervalMinutes(value: number | 'off'): number | null {
  return value === 'off' ? null : value;
}

/** Lines of a file, as `FILE:LINE` or `FILE:START-END` name them. */
export interface LineRange {
  path: string;
  startLine: number;
  endLine: number;
}

/**
 * Parses `FILE:LINE` or `FILE:START-END` (lines from 1). The line part is taken from the end, so a path may itself
 * contain colons (`docs/a:b.md:3`).
 */
export function parseLineRange(value: string): LineRange {
  const match = /^(.+):(\d+)(?:-(\d+))?$/.exec(value);
  if (!match) throw new InvalidArgumentError('must be FILE:LINE or FILE:START-END, such as src/index.ts:12-14');
  const startLine = Number(match[2]);
  const endLine = match[3] === undefined ? startLine : Number(match[3]);
  if (startLine < 1) throw new InvalidArgumentError('lines count from 1');
  if (endLine < startLine)
    throw new InvalidArgumentError(`the range ends (${endLine}) before it starts (${startLine})`);
  return { path: match[1]!, startLine, endLine };
}

/** Parses `PATH` or `PATH:LINE` (a line from 1), as `tasks create --file` takes it; `line` is null without one. */
export function parseFileRef(value: string): { path: string; line: number | null } {
  const match = /^(.+):(\d+)$/.exec(value);
  if (!match) {
    if (value === '') throw new InvalidArgumentError('must be PATH or PATH:LINE');
    return { path: value, line: null };
  }
  const line = Number(match[2]);
  if (line < 1) throw new InvalidArgumentError('lines count from 1');
  return { path: match[1]!, line };
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a point in time for `--since`/`--until` into an ISO-8601 UTC string: a duration back from `now` (`90s`,
 * `30m`, `1h`, `2d`, `1w`), or a date or time (`2025-01-31`, `2025-01-31T12:00:00Z`; without an offset, local time).
 */
export function parseSince(value: string, now = Date.now()): string {
  const duration = /^(\d+)\s*(s|m|min|h|d|w)$/.exec(value.trim());
  if (duration) return new Date(now - Number(duration[1]) * UNIT_MS[duration[2]!]!).toISOString();
  const at = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (Number.isNaN(at)) {
    throw new InvalidArgumentError('must be a duration such as 30m, 1h or 2d, or a time such as 2025-01-31T12:00:00Z');
  }
  return new Date(at).toISOString();
}

/** What `doc` documents: a file, and the lines of the function to document when given (`FILE:LINE[-END]`). */
export interface DocTarget {
  path: string;
  range: { start_line: number; end_line: number } | null;
}

/**
 * Parses the FILE argument of `doc`: `FILE`, `FILE:LINE` or `FILE:START-END` (lines from 1, read from the end as
 * `parseLineRange` does, so a path may contain colons).
 */
export function parseDocTarget(value: string): DocTarget {
  if (/:\d+(-\d+)?$/.test(value)) {
    const { path, startLine, endLine } = parseLineRange(value);
    return { path, range: { start_line: startLine, end_line: endLine } };
  }
  if (value.trim() === '') throw new InvalidArgumentError('must be FILE, FILE:LINE or FILE:START-END');
  return { path: value, range: null };
}
