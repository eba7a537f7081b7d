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
