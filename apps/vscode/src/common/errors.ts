import { isHiveSyncError } from '@hivesync/sdk';

/** Codes that mean the session is over: the user must sign in again. */
const SESSION_OVER = new Set(['unauthorized', 'token_expired']);

/** Whether an error means the user must sign in (again). */
export function isSessionOver(err: unknown): boolean {
  return isHiveSyncError(err) && SESSION_OVER.has(err.code);
}

/** Whether an error means the server could not be reached or is down for now (retry later, nothing is lost). */
export function isOffline(err: unknown): boolean {
  return (
    isHiveSyncError(err) && (err.code === 'network_error' || err.status === 0 || (err.retryable && err.status >= 500))
  );
}

/** Whether an error is the user cancelling (an aborted request). */
export function isCancelled(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'CanceledError');
}

/** An error in words for a message box: the server's sentence, and what to do for the common codes. */
export function errorText(err: unknown, server?: string): string {
  if (isHiveSyncError(err)) {
    switch (err.code) {
      case 'network_error':
        return `Cannot reach the HiveSync server${server ? ` at ${server}` : ''}: ${err.message} Check the "hivesync.serverUrl" setting and that the server runs.`;
      case 'unauthorized':
      case 'token_expired':
        return 'Your HiveSync session has ended: sign in again.';
      case 'repo_not_synced':
        return 'The project has not been synced yet: run "HiveSync: Sync with Remote" first.';
      case 'rate_limited':
        return `${err.message} Try again${err.retryAfter ? ` in ${err.retryAfter} s` : ' later'}.`;
      case 'forbidden':
        return `${err.message} (your role in this project does not allow it)`;
      default:
        return err.message;
    }
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Whether a call to the local agent's own routes failed because the agent is not there to do it: it stopped (no
 * answer), or it is a version without that route. The caller then does the work itself.
 */
export function agentUnavailable(err: unknown): boolean {
  if (!isHiveSyncError(err)) return false;
  if (err.code === 'network_error') return true;
  // The agent's answer for a route it does not have (its envelope has no other mark of it).
  return err.code === 'not_found' && /^The HiveSync agent has no route /.test(err.message);
}
