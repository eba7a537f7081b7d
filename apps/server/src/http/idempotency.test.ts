import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, registerUser, startTestServer, type TestServer } from '../test/harness.js';
import { createIdempotencyStore } from './idempotency.js';

describe.each(backends())('Idempotency-Key on $name', (backend) => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    token = server.admin.token;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  const create = (key: string | undefined, name: string, as = token) =>
    server.request({
      method: 'POST',
      url: '/api/v1/projects',
      token: as,
      body: { name },
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const names = async (as = token) =>
    (await server.request({ method: 'GET', url: '/api/v1/projects', token: as }))
      .json<{ projects: { name: string }[] }>()
      .projects.map((p) => p.name);

  it('runs a write once per key and replays its first answer', async () => {
    const first = await create('key-1', 'once');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    const again = await create('key-1', 'once');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await names()).filter((n) => n === 'once')).toHaveLength(1);
    // Without a key, each request runs.
    await create(undefined, 'twice');
    await create(undefined, 'twice');
    expect((await names()).filter((n) => n === 'twice')).toHaveLength(2);
  });

  it('answers the same key with another body 422, and keeps keys per user', async () => {
    await create('key-2', 'first body');
    const other = await create('key-2', 'another body');
    expect(other.statusCode).toBe(422);
    expect(other.json().error).toMatchObject({ code: 'unprocessable', details: { reason: 'idempotency_key_reused' } });
    expect(await names()).not.toContain('another body');

    const bob = await registerUser(server);
    const bobs = await create('key-2', 'first body', bob.token);
    expect(bobs.statusCode).toBe(201);
    expect(bobs.headers['idempotency-replayed']).toBeUndefined();
    expect(await names(bob.token)).toEqual(['first body']);
  });

  it('answers 409 while a request with the same key is still running, and refuses a malformed key', async () => {
    // The memory store's life cycle: claimed, in progress, done, given back.
    const store = createIdempotencyStore(undefined, '');
    expect(await store.begin('u:k', 'fp')).toEqual({ state: 'new' });
    expect(await store.begin('u:k', 'fp')).toEqual({ state: 'in_progress', fingerprint: 'fp' });
    await store.finish('u:k', 'fp', { status: 201, contentType: 'application/json', body: '{}' });
    expect(await store.begin('u:k', 'fp')).toMatchObject({ state: 'done', status: 201, body: '{}' });
    await store.abandon('u:k');
    expect(await store.begin('u:k', 'fp')).toEqual({ state: 'new' });

    // Two identical requests at once: one runs, the other is told it is in progress or gets the replay.
    const [a, b] = await Promise.all([create('key-3', 'racing'), create('key-3', 'racing')]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(201);
    expect([201, 409]).toContain(statuses[1]);
    const conflict = [a, b].find((r) => r.statusCode === 409);
    if (conflict) expect(conflict.json().error.details.reason).toBe('idempotency_key_in_progress');
    expect((await names()).filter((n) => n === 'racing')).toHaveLength(1);

    // On Redis the claim of a request still running on another instance is in the shared store: a repeat is 409.
    if (server.config.redis.url) {
      const redis = new Redis(server.config.redis.url);
      try {
        const shared = createIdempotencyStore(redis, server.config.redis.prefix);
        const sha = (t: string) => crypto.createHash('sha256').update(t).digest('hex');
        const body = JSON.stringify({ name: 'elsewhere' });
        const claimed = await shared.begin(`${server.admin.id}:${sha('key-4')}`, sha(`POST /api/v1/projects\n${body}`));
        expect(claimed).toEqual({ state: 'new' });
        const running = await create('key-4', 'elsewhere');
        expect(running.statusCode).toBe(409);
        expect(running.json().error.details.reason).toBe('idempotency_key_in_progress');
        expect(await names()).not.toContain('elsewhere');
      } finally {
        redis.disconnect();
      }
    }

    const bad = await create('key with spaces', 'bad');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.field).toBe('Idempotency-Key');
  });
});
