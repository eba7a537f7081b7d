import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { requestLoggerFactory } from './request-logger.js';
import { helmetHeaders, registerSecurityHeaders } from './security-headers.js';

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

describe('security headers on every answer', () => {
  const server = async () => {
    const app = Fastify({ logger: false });
    registerSecurityHeaders(app, await helmetHeaders());
    app.get('/data', async (request, reply) => {
      const etag = 'W/"v1"';
      if (request.headers['if-none-match'] === etag) return reply.code(304).header('etag', etag).send();
      return reply.header('etag', etag).send({ ok: true });
    });
    app.get('/page', async (_request, reply) =>
      reply.header('content-security-policy', "default-src 'self'").type('text/html').send('<p>page</p>'),
    );
    app.get('/fails', async () => {
      throw new Error('boom');
    });
    return app;
  };

  it('sets them on answers, and leaves a 304 its validators only (RFC 9110 §15.4.5)', async () => {
    const app = await server();
    const plain = await app.inject({ method: 'GET', url: '/data' });
    expect(plain.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(plain.headers['x-content-type-options']).toBe('nosniff');
    expect(plain.headers['x-request-id']).toBeTruthy();

    const unchanged = await app.inject({ method: 'GET', url: '/data', headers: { 'if-none-match': 'W/"v1"' } });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.headers.etag).toBe('W/"v1"');
    expect(unchanged.headers['x-request-id']).toBeTruthy();
    expect(unchanged.headers['content-security-policy']).toBeUndefined();
    expect(unchanged.headers['x-content-type-options']).toBeUndefined();

    // A conditional request answered in full, or with an error, still gets every header.
    for (const url of ['/data', '/fails']) {
      const changed = await app.inject({ method: 'GET', url, headers: { 'if-none-match': 'W/"v0"' } });
      expect(changed.statusCode).not.toBe(304);
      expect(changed.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(changed.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it("keeps a page's own policy, asked for conditionally or not", async () => {
    const app = await server();
    for (const headers of [{}, { 'if-none-match': 'W/"old"' }]) {
      const page = await app.inject({ method: 'GET', url: '/page', headers });
      expect(page.headers['content-security-policy']).toBe("default-src 'self'");
      expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    }
  });

  it('sets HSTS over HTTPS only', async () => {
    const app = Fastify({ logger: false, trustProxy: true });
    registerSecurityHeaders(app, await helmetHeaders());
    app.get('/', async () => 'ok');
    const plain = await app.inject({ method: 'GET', url: '/' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    const https = await app.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
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
