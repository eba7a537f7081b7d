import type { IncomingMessage, ServerResponse } from 'node:http';
import { ListNotificationsQuery } from '@hivesync/core';
import type { AccessTokenVerifier } from '../../http/auth-hook.js';
import { requestIdOf, requestLine } from '../../http/request-logger.js';
import type { Logger } from '../../infra/logger.js';
import type { Metrics } from '../../infra/metrics.js';
import type { AuthContext } from '../auth/auth.types.js';
import { clientName } from './notifications.routes.js';
import type { NotificationsService, PollQuery } from './notifications.service.js';

/** Tells whether it answered the request; when not, it has not touched it (the caller hands it to Fastify). */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => false | Promise<boolean>;

/**
 * The unchanged notification poll — `GET <prefix>/notifications` with `If-None-Match` naming the current ETag, the
 * request every client sends most, tens of thousands a second — answered 304 before the request reaches Fastify:
 * the same token check, the same query validation and the same ETag as the route (`NotificationsService.pollHead`),
 * the same headers (validators and cache headers only, as the route's 304 carries), the same metrics and request
 * log line. Fastify's routing, hooks and reply took two thirds of such an answer's CPU besides the socket write.
 *
 * It only ever answers what the route would answer 304, the same way. Anything else goes to Fastify untouched, where
 * the route answers it: another method or path, no If-None-Match, a missing or refused token (401 comes from the
 * route), a query the route would refuse or might parse differently (percent-encoded, a repeated parameter), an
 * X-HiveSync-Client it would
 * refuse, a changed page, forwarded headers when proxies are trusted (the client's address and scheme come from
 * Fastify's proxy rules), an unexpected error.
 */
export function unchangedPollFastPath(opts: {
  path: string;
  verify: AccessTokenVerifier;
  notifications: NotificationsService;
  metrics: Metrics;
  logger: Logger;
  trustProxy: boolean;
}): FastPath {
  const { path, verify, notifications, metrics, logger } = opts;
  // (Bound once: labelling every observation hashed the labels each time.)
  const duration = metrics.httpDuration.labels({ method: 'GET', route: path, status: '304' });
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if (req.method !== 'GET' || (q === -1 ? url : url.slice(0, q)) !== path) return false;
    const ifNoneMatch = req.headers['if-none-match'];
    const authorization = req.headers.authorization;
    if (ifNoneMatch === undefined || authorization === undefined) return false;
    if (opts.trustProxy && (req.headers['x-forwarded-for'] !== undefined || req.headers['x-forwarded-proto'])) {
      return false;
    }
    const query = q === -1 ? {} : pollQuery(url.slice(q + 1));
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (query === undefined || token === undefined) return false;
    const started = performance.now();
    return answer(req, res, { query, token, ifNoneMatch, started });
  };

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    a: { query: PollQuery; token: string; ifNoneMatch: string; started: number },
  ): Promise<boolean> {
    let auth: AuthContext;
    let head: { notModified: boolean; etag: string; pollInterval: number };
    try {
      const client = clientName(req);
      auth = await verify(a.token);
      head = await notifications.pollHead(auth, a.query, a.ifNoneMatch, client);
    } catch {
      return false; // the route answers it (and says why)
    }
    if (!head.notModified) return false;
    const id = requestIdOf(req.headers);
    res.writeHead(304, [
      'x-request-id',
      id,
      'x-poll-interval',
      String(head.pollInterval),
      'etag',
      head.etag,
      'cache-control',
      'private, no-cache',
    ]);
    res.end();
    const ms = performance.now() - a.started;
    duration.observe(ms / 1000);
    if (logger.isLevelEnabled('info')) {
      const line = requestLine({ method: 'GET', url: req.url ?? '', status: 304, ms, userId: auth.userId });
      logger.info({ reqId: id, ...line }, 'request');
    }
    return true;
  }
}

/** What the clients' poll queries are made of (cursors, numbers, booleans, type names): nothing to decode. */
const PLAIN_QUERY = /^[\w.,=&-]*$/;

/**
 * The query string as the route takes it, or undefined when the route might take it otherwise or refuse it: anything
 * percent-encoded, a repeated parameter, a value the route's schema refuses.
 */
function pollQuery(search: string): PollQuery | undefined {
  if (!PLAIN_QUERY.test(search)) return undefined;
  const raw = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(search)) {
    if (raw.has(k)) return undefined;
    raw.set(k, v);
  }
  const parsed = ListNotificationsQuery.safeParse(Object.fromEntries(raw));
  return parsed.success ? parsed.data : undefined;
}
