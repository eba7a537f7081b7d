/** The seeds' polling cadence: 45 s normally, a few seconds while a preview launches, 120 s while offline. */
export const DEFAULT_POLL_SECONDS = 45;
/** The bounds a user may set the interval within (Settings). */
export const MIN_POLL_SECONDS = 15;
export const MAX_POLL_SECONDS = 120;
/** While a preview launches the app polls aggressively, so that the "opened" and "ready" steps show at once. */
export const LAUNCH_POLL_SECONDS = 3;
/** Offline, polling backs off to this. */
export const OFFLINE_POLL_SECONDS = 120;

/** The user's interval kept within MIN_POLL_SECONDS..MAX_POLL_SECONDS (a whole number of seconds). */
export function clampPollSeconds(seconds: number): number {
  if (!Number.isFinite(seconds)) return DEFAULT_POLL_SECONDS;
  return Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, Math.round(seconds)));
}

/** What decides the next poll. */
export interface PollState {
  /** The user's interval in seconds (Settings). */
  base: number;
  /** A preview is being resolved, downloaded or started. */
  launching: boolean;
  /** The last request failed at the network level. */
  offline: boolean;
}

/** Seconds until the next poll: offline wins (back off), then a launching preview (poll fast), then the setting. */
export function pollDelaySeconds(state: PollState): number {
  if (state.offline) return OFFLINE_POLL_SECONDS;
  if (state.launching) return LAUNCH_POLL_SECONDS;
  return clampPollSeconds(state.base);
}
