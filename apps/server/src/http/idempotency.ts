import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { errors } from '@hivesync/core';
import { addRouteHook, readOnly } from './route-hooks.js';

/** The request header a client sends to make a POST, PUT, PATCH or DELETE safe to send again. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on an answer replayed from an earlier request with the same key. */
export const REPLAYED_HEADER = 'idempotency-replayed';
/** How long a key's first answer is kept and replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long a key stays "in progress" when its request never finished (the process died under it). */
export const IN_PROGRESS_TTL_SECONDS = 5 * 60;

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The first answer to a key, as it is replayed. */
export interface StoredAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

type Entry = { state: 'in_progress'; fingerprint: string } | ({ state: 'done'; fingerprint: string } & StoredAnswer);

/** Where keys and their first answers live: Redis when configured (shared by every API instance), else memory. */
export interface IdempotencyStore {
  /** Claims `key` for a request with this fingerprint; or what an earlier request with the key left. */
  begin(key: string, fingerprint: string): Promise<{ state: 'new' } | Entry>;
  /** Keeps the first answer for IDEMPOTENCY_TTL_SECONDS. */
  finish(key: string, fingerprint: string, answer: StoredAnswer): Promise<void>;
  /** Forgets a claim whose request ended without an answer worth keeping (a 5xx, a stream, an abort). */
  abandon(key: string): Promise<void>;
}

/**
 * Redis when configured (falling back to memory while Redis is down, as the rate limits do), else memory: the same
 * choice as infra/rate-limit.ts and infra/once.ts.
 */
export function createIdempotencyStore(redis: Redis | undefined, prefix: string): IdempotencyStore {
  const memory = new Map<string, { entry: Entry; until: number }>();
  const now = () => Date.now();
  const mem: IdempotencyStore = {
    async begin(key, fingerprint) {
      if (memory.size > 10_000) for (const [k, v] of memory) if (v.until < now()) memory.delete(k);
      const found = memory.get(key);
      if (found && found.until > now()) return found.entry;
      memory.set(key, { entry: { state: 'in_progress', fingerprint }, until: now() + IN_PROGRESS_TTL_SECONDS * 1000 });
      return { state: 'new' };
    },
    async finish(key, fingerprint, answer) {
      memory.set(key, {
        entry: { state: 'done', fingerprint, ...answer },
        until: now() + IDEMPOTENCY_TTL_SECONDS * 1000,
      });
    },
    async abandon(key) {
      memory.delete(key);
    },
  };
  if (!redis) return mem;
  const k = (key: string) => `${prefix}idem:${key}`;
  return {
    async begin(key, fingerprint) {
      try {
        const claim = JSON.stringify({ state: 'in_progress', fingerprint } satisfies Entry);
        if ((await redis.set(k(key), claim, 'EX', IN_PROGRESS_TTL_SECONDS, 'NX')) === 'OK') return { state: 'new' };
        const text = await redis.get(k(key));
        // Expired between the two calls: claim it again.
        if (text === null) return this.begin(key, fingerprint);
        return JSON.parse(text) as Entry;
      } catch {
        return mem.begin(key, fingerprint);
      }
    },
    async finish(key, fingerprint, answer) {
      const entry = JSON.stringify({ state: 'done', fingerprint, ...answer } satisfies Entry);
      await redis.set(k(key), entry, 'EX', IDEMPOTENCY_TTL_SECONDS).catch(() => mem.finish(key, fingerprint, answer));
    },
    async abandon(key) {
      await redis.del(k(key)).catch(() => mem.abandon(key));
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set while a request holds an idempotency key's claim. */
    idempotency: { key: string; fingerprint: string; settled: boolean } | null;
  }
}

/**
 * Honours `Idempotency-Key` on authenticated POST, PUT, PATCH and DELETE requests (docs/API.md): per user and key,
 * for 24 h, the first answer is stored and replayed to a repeat (with `Idempotency-Replayed: true`); a repeat while
 * the first is still running is 409 `conflict` (`details.reason: idempotency_key_in_progress`), and the same key
 * with another method, path or body is 422 `unprocessable`. 5xx and 429 answers are not kept (sent again, the
 * request runs again).
 */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.decorateRequest('idempotency', null);
  // After the route's own authentication (an onRequest hook) and body parsing, before the handler.
  const begin = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = request.headers[IDEMPOTENCY_HEADER];
    if (given === undefined || request.method === 'GET' || request.method === 'HEAD') return;
    const userId = request.auth?.userId;
    if (userId === undefined) return;
    if (typeof given !== 'string' || !KEY.test(given)) {
      throw errors.validation('Idempotency-Key must be 1 to 255 visible ASCII characters.', {
        field: 'Idempotency-Key',
      });
    }
    const fingerprint = crypto
      .createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const key = `${userId}:${crypto.createHash('sha256').update(given).digest('hex')}`;
    const found = await store.begin(key, fingerprint);
    if (found.state === 'new') {
      request.idempotency = { key, fingerprint, settled: false };
      return;
    }
    if (found.fingerprint !== fingerprint) {
      throw errors.unprocessable(
        'This Idempotency-Key was used for another request (another method, path or body): use a new key for a new request.',
        { reason: 'idempotency_key_reused' },
      );
    }
    if (found.state === 'in_progress') {
      throw errors.conflict('A request with this Idempotency-Key is still running: try again in a moment.', {
        reason: 'idempotency_key_in_progress',
      });
    }
    void reply.code(found.status).header(REPLAYED_HEADER, 'true');
    if (found.contentType) void reply.type(found.contentType);
    return reply.send(found.body);
  };
  const keep = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.idempotency;
    if (!claim || claim.settled) return payload;
    claim.settled = true;
    // A 5xx or a 429 says nothing about the request itself: sent again, it runs again.
    if (
      reply.statusCode >= 500 ||
      reply.statusCode === 429 ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload) && payload !== null)
    ) {
      await store.abandon(claim.key);
      return payload;
    }
    const contentType = reply.getHeader('content-type');
    await store.finish(claim.key, claim.fingerprint, {
      status: reply.statusCode,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      body: payload === null ? '' : String(payload),
    });
    return payload;
  };
  // A request that ended without going through onSend (hijacked, aborted) gives its claim back.
  const release = async (request: FastifyRequest) => {
    const claim = request.idempotency;
    if (claim && !claim.settled) {
      claim.settled = true;
      await store.abandon(claim.key);
    }
  };
  // Only on the routes that write: reads (the notification poll above all) pay nothing for keys they never send.
  app.addHook('onRoute', (route) => {
    if (readOnly(route)) return;
    addRouteHook(route, 'preHandler', begin, 'first');
    addRouteHook(route, 'onSend', keep, 'first');
    addRouteHook(route, 'onResponse', release, 'first');
    addRouteHook(route, 'onRequestAbort', release, 'first');
  });
}
