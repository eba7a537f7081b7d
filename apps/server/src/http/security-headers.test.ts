import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLoggerFactory } from './request-logger.js';
import { helmetHeaders } from './security-headers.js';

describe('security headers computed once', () => {
  it("are helmet's headers for our options: no sources for JSON, no HSTS over plain HTTP", async () => {
    const headers = await helmetHeaders();
    expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-resource-policy']).toBe('same-site');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['strict-transport-security']).toBeUndefined();
  });
});

describe('the lazily made request logger', () => {
  const app = async (level: string, lines: string[]) => {
    const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
    const server = Fastify({
      loggerInstance: logger,
      logController: new LogController({ disableRequestLogging: true }),
      childLoggerFactory: requestLoggerFactory(logger),
    });
    server.get('/', async (request) => {
      request.log.info({ what: 'hello' }, 'at info');
      request.log.warn('at warn');
      return 'ok';
    });
    return server;
  };

  it('writes what a pino child writes, bound to the request id, at enabled levels only', async () => {
    const lines: string[] = [];
    const server = await app('warn', lines);
    await server.inject({ method: 'GET', url: '/', headers: { 'x-request-id': 'r1' } });
    const written = lines.map((l) => JSON.parse(l) as { msg: string; reqId: string });
    expect(written.map((l) => l.msg)).toEqual(['at warn']);
    expect(written[0]!.reqId).toBeTruthy();
    lines.length = 0;
    const verbose = await app('info', lines);
    await verbose.inject({ method: 'GET', url: '/' });
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['at info', 'at warn']);
    expect((JSON.parse(lines[0]!) as { what: string }).what).toBe('hello');
  });
});
