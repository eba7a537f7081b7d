import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOGUE, ERROR_CODES } from '@hivesync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../test/harness.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the error catalogue', () => {
  it('holds every code of the API contract with its status', () => {
    const contract = fs.readFileSync(`${repoRoot}docs/API.md`, 'utf8');
    const table = contract.slice(contract.search(/^\| code +\| HTTP +\|/m), contract.indexOf('Failed background work'));
    const rows = [...table.matchAll(/^\| ([a-z_, ]+?)(?: \(.*\))? *\| (\d{3}) +\|$/gm)];
    expect(rows.length).toBeGreaterThan(10);
    for (const [, codes, status] of rows) {
      for (const code of codes!.split(',').map((c) => c.trim())) {
        expect(ERROR_CATALOGUE, code).toHaveProperty(code);
        expect(ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status, code).toBe(Number(status));
      }
    }
  });

  it('is documented code by code in docs/ERRORS.md', () => {
    const doc = fs.readFileSync(`${repoRoot}docs/ERRORS.md`, 'utf8');
    for (const code of ERROR_CODES) {
      expect(doc, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${ERROR_CATALOGUE[code].status}\\s*\\|`));
    }
  });
});

describe('the HTTP error model', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!);
  });
  afterAll(() => server?.stop());

  it('answers unknown routes with not_found in the envelope', async () => {
    const res = await server.request({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        code: 'not_found',
        message: 'No route GET /api/v1/nothing-here.',
        request_id: res.headers['x-request-id'],
        retryable: false,
      },
    });
  });

  it('answers a non-JSON content type with validation_error', async () => {
    const res = await server.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'text/plain' },
      body: 'email=a',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_error');
  });

  it('hides internals of unexpected errors behind internal_error', async () => {
    const app = server.runtime.app!;
    const res = await app.inject({ method: 'GET', url: '/health/workers' });
    expect(res.statusCode).toBe(200);
    // Break the database underneath a route and look at what the client gets.
    const db = server.runtime.infra.db;
    const original = db.orm.select.bind(db.orm);
    (db.orm as { select: unknown }).select = () => {
      throw new Error('relation "users" does not exist at character 15: select secret from users');
    };
    try {
      const broken = await server.request({ method: 'GET', url: '/api/v1/projects', token: server.admin.token });
      expect(broken.statusCode).toBe(500);
      expect(broken.json().error).toMatchObject({
        code: 'internal_error',
        message: 'An unexpected error occurred.',
        retryable: true,
      });
      expect(broken.body).not.toMatch(/relation|select|stack/);
    } finally {
      (db.orm as { select: unknown }).select = original;
    }
  });

  it('publishes an OpenAPI 3 document generated from the route schemas, and Swagger UI', async () => {
    const res = await server.request({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/projects/{id}/members',
      '/api/v1/notifications',
      '/health/deep',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema).toBeTruthy();
    const ui = await server.request({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it("answers / and the web app's URLs with HTML for people, and keeps JSON for unknown API routes", async () => {
    // With the web app built (npm run build) this is the app; from a bare source tree, a page that says how to build
    // it. web-app.routes.test.ts checks both on fixed directories.
    for (const url of ['/', '/projects/abc/blob/0123/lib/a.js']) {
      const res = await server.request({ method: 'GET', url });
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.body, url).toContain('HiveSync');
      expect(res.body, url).not.toContain('<script>');
    }
    const api = await server.request({ method: 'GET', url: '/api/v1/nothing-here', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('not_found');
  });

  it('sends security headers on every answer, and a policy each HTML page can live with', async () => {
    for (const url of ['/api/v1/projects', '/health', '/api/v1/nothing-here', '/docs/', '/p', '/']) {
      const res = await server.request({ method: 'GET', url, token: server.admin.token });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(String(res.headers['content-security-policy']), url).toMatch(/default-src|script-src/);
      expect(res.headers['strict-transport-security'], url).toBeUndefined(); // plain HTTP here
    }
    const json = await server.request({ method: 'GET', url: '/health' });
    expect(json.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('serves no route that docs/API.md does not name', async () => {
    const doc = (await server.request({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const contract = fs.readFileSync(`${repoRoot}docs/API.md`, 'utf8');
    const missing: string[] = [];
    for (const [route, operations] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) {
        const named = `${method.toUpperCase()} ${route.replace(/^\/api\/v1/, '')}`;
        // Named exactly: followed by a query string, a body, a cell border or the end of a line, never a longer path.
        const pattern = new RegExp(`${named.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[?\\s|\`,]|$)`, 'm');
        if (!pattern.test(contract)) missing.push(named);
      }
    }
    expect(missing).toEqual([]);
  });
});
