import { isHiveSyncError } from '@hivesync/sdk';

/** What a person reads about a failure: the server's sentence, and what to quote in a bug report. */
export interface ErrorWords {
  title: string;
  message: string;
  code?: string;
  requestId?: string;
}

const TITLES: Record<string, string> = {
  not_found: 'Not found',
  unauthorized: 'Please log in',
  token_expired: 'Your session has expired',
  forbidden: 'Not allowed',
  validation_error: 'Please check what you entered',
  conflict: 'Conflict',
  repo_not_synced: 'Not synced yet',
  rate_limited: 'Too many requests',
  network_error: 'The server cannot be reached',
  service_unavailable: 'Temporarily unavailable',
  repo_repairing: 'The mirror is being repaired',
  internal_error: 'Something went wrong on the server',
};

/** Turns any thrown value into words; the API's error envelope keeps its message, code and request id. */
export function errorWords(error: unknown): ErrorWords {
  if (isHiveSyncError(error)) {
    const retry = error.retryAfter !== undefined ? ` Try again in ${error.retryAfter} s.` : '';
    return {
      title: TITLES[error.code] ?? 'The request failed',
      message: `${error.message}${retry}`,
      code: error.code,
      ...(error.requestId !== undefined && { requestId: error.requestId }),
    };
  }
  return {
    title: 'Something went wrong in this page',
    message: error instanceof Error ? error.message : String(error),
  };
}
