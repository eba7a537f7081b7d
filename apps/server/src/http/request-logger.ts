import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';
import type { Logger } from '../infra/logger.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger (`request.log`, bound to its request id), made the first time a line at an enabled level is
 * written. Fastify makes one child logger per request; with our redaction paths pino spends about a twentieth of an
 * unchanged poll's CPU binding it, and most requests never log (the request line is written at `info`, off behind
 * `warn`). Lines that are written are the same as a pino child's.
 */
class RequestLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings));
  }

  get level(): LevelWithSilentOrString {
    return this.real?.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger.level = level;
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.real && !this.parent.isLevelEnabled(level)) return;
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a lazily made child, unless the route sets its own options (e.g. `logLevel`). */
export function requestLoggerFactory(logger: Logger): NonNullable<FastifyServerOptions['childLoggerFactory']> {
  return (_parent, bindings, options) =>
    Object.keys(options).length > 0
      ? logger.child(bindings, options)
      : (new RequestLogger(logger, bindings) as unknown as FastifyBaseLogger);
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
// Query parameters whose values must never reach a log line.
const SECRET_QUERY = /([?&](?:ticket|token|code|signature|sig)=)[^&]*/gi;

/** A request's id: the caller's X-Request-Id when it is a plain token of at most 128 characters, else a new UUID. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** The fields of a request's log line (one per request, at `info`), the URL's secrets redacted. */
export function requestLine(line: { method: string; url: string; status: number; ms: number; userId?: string }) {
  return {
    method: line.method,
    url: line.url.replace(SECRET_QUERY, '$1[redacted]'),
    status: line.status,
    ms: Math.round(line.ms * 100) / 100,
    user_id: line.userId,
  };
}
