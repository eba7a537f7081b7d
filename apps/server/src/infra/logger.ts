import pino from 'pino';

/** The structured JSON logger every part of the server writes to. */
export type Logger = pino.Logger;

// Field names that hold a secret wherever they appear; each is redacted at the top level and one level down, and
// under an error and its cause.
const SECRET_FIELDS = [
  'password',
  'password_hash',
  'passwordHash',
  'access_token',
  'refresh_token',
  'token',
  'token_hash',
  'tokenHash',
  'ticket',
  'secret',
  'secret_access_key',
  'secretAccessKey',
  'api_key',
  'apiKey',
  'private_key',
  'privateKey',
  'credential',
  'credentials',
  'authorization',
  'cookie',
  // SQL parameters: they carry whatever was being written (password hashes, tokens, personal data).
  'params',
];

/**
 * Paths that may hold secrets anywhere they are logged; pino replaces them before a line is written.
 * Request bodies are never logged at all; these cover headers, error objects and anything passed by name.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hivesync-ticket"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `err.cause.${f}`, `error.cause.${f}`]),
];

// What drizzle appends to a failed query's message: `\nparams: <every parameter, comma-separated>`.
const PARAMS_IN_JSON = /\\nparams: (?:[^"\\]|\\.)*/g;
// Quoted text in PostgreSQL's message of a data exception (SQLSTATE class 22): the value it refused.
const QUOTED = /"[^"]*"/g;
// Values PostgreSQL quotes in an error's detail: `Key (email)=(a@b.c) already exists.`
const DETAIL_VALUES = /=\((?:[^()]|\([^()]*\))*\)/g;

/**
 * An error as a log line shows it (pino's serializer, with the message, stack and cause chain), without the
 * parameters of a failed SQL query, which drizzle writes into the message and PGlite attaches to the error, nor
 * the values PostgreSQL quotes back in a data exception (`invalid input syntax for type integer: "…"`).
 */
export function serializeError(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  const cut = (from: string, to: string) => {
    for (const field of ['message', 'stack'] as const) {
      if (typeof out[field] === 'string') out[field] = (out[field] as string).replaceAll(from, to);
    }
  };
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 8; depth++) {
    if (Array.isArray(e.params)) cut(`\nparams: ${String(e.params)}`, '');
    if (typeof e.code === 'string' && e.code.startsWith('22') && typeof e.message === 'string') {
      cut(e.message, e.message.replace(QUOTED, '"[redacted]"'));
    }
    e = e.cause && typeof e.cause === 'object' ? (e.cause as Record<string, unknown>) : undefined;
  }
  delete out.params;
  delete out.queryOptions;
  if (typeof out.detail === 'string') out.detail = out.detail.replace(DETAIL_VALUES, '=([redacted])');
  return out;
}

/** Creates the process logger. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hivesync' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The last line of defence: a failed query's parameters that reached a line some other way (an error
      // message copied into a string) are cut out of the JSON before it is written.
      hooks: { streamWrite: (line) => line.replace(PARAMS_IN_JSON, '\\nparams: [redacted]') },
    },
    destination,
  );
}
