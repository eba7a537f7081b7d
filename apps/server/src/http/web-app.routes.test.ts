import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from './error-handler.js';
import { WEB_APP_CSP, webAppRoutes } from './web-app.routes.js';

async function serve(dir: string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerErrorHandling(app);
  app.get('/health', async () => ({ status: 'ok' }));
  await app.register(webAppRoutes({ dir }));
  return app;
}

describe('the web app at /', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-web-'));
  const built = path.join(root, 'built');
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;
  let app: FastifyInstance;

  beforeAll(async () => {
    fs.mkdirSync(path.join(built, 'assets'), { recursive: true });
    fs.writeFileSync(
      path.join(built, 'index.html'),
      '<!doctype html><title>HiveSync</title><script type="module" src="/assets/index-abc123.js"></script>',
    );
    fs.writeFileSync(path.join(built, 'assets', 'index-abc123.js'), script);
    app = await serve(built);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers the app with a strict policy and no caching, for / and every app URL', async () => {
    for (const url of [
      '/',
      '/login',
      '/account',
      '/notifications',
      '/admin/users',
      '/projects',
      '/projects/p1/blob/abc/lib/a.js?x=1',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-security-policy'], url).toBe(WEB_APP_CSP);
      expect(res.body, url).toContain('/assets/index-abc123.js');
    }
    expect(WEB_APP_CSP).toContain("script-src 'self'");
    expect(WEB_APP_CSP).not.toContain('unsafe-inline');
  });

  it('answers an unknown page with the app (which shows its not-found page) and status 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/page' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('<title>HiveSync</title>');
  });

  it("never answers the app under the server's own prefixes: their unknown routes keep the JSON envelope", async () => {
    for (const url of [
      '/api/v1/nothing',
      '/api',
      '/health/nothing',
      '/docs/nothing',
      '/p/assets/x/y',
      '/metrics/x',
      '/assets/missing.js',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
  });

  it('serves hashed assets as immutable for a year, gzip-compressed when accepted', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(script);
    const zipped = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(zipped.rawPayload).toString()).toBe(script);
    expect(zipped.rawPayload.length).toBeLessThan(script.length / 10);
  });

  it('says how to build the app when there is no build', async () => {
    const bare = await serve(path.join(root, 'missing'));
    try {
      const res = await bare.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('web app is not built');
      expect(res.body).toContain('npm run build');
      expect((await bare.inject({ method: 'GET', url: '/projects' })).body).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });
});
