import pino from 'pino';

/** The structured JSON logger every part of the server writes to. */
export type Logger = pino.Logger;

/**
 * Paths that may hold secrets anywhere they are logged; pino replaces them before a line is written.
 * Request bodies are never logged at all; these cover headers and error objects.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hivesync-ticket"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_hash',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.secret',
];

/** Creates the process logger. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hivesync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
