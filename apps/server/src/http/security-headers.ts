import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

/** The security headers every answer carries. JSON needs no sources at all; the HTML pages set their own policy. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  // Only over HTTPS (directly, or from a trusted proxy), where browsers honour it: set per request in app.ts.
  strictTransportSecurity: false,
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/**
 * The headers helmet sets with these options, computed once. @fastify/helmet builds its middleware again on every
 * request (options parsed, each header validated as it is set), about a tenth of an unchanged poll's CPU; the
 * headers do not depend on the request, so they are asked of helmet once, on a throwaway instance, and then set
 * from this object. Helmet stays the one source of their names and values.
 */
export async function helmetHeaders(options: FastifyHelmetOptions = HELMET_OPTIONS): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  let headers: Record<string, string> = {};
  await probe.register(fastifyHelmet, options);
  probe.get('/', async (_request, reply) => {
    headers = Object.fromEntries(Object.entries(reply.raw.getHeaders()).map(([k, v]) => [k, String(v)]));
    return '';
  });
  try {
    const res = await probe.inject({ method: 'GET', url: '/' });
    if (res.statusCode !== 200) throw new Error(`helmet probe answered ${res.statusCode}`);
  } finally {
    await probe.close();
  }
  if (Object.keys(headers).length === 0) throw new Error('helmet set no headers');
  return Object.freeze(headers);
}

/**
 * Sets the security headers, the request id, and HSTS over HTTPS (directly, or from a trusted proxy, where browsers
 * honour it) on every answer. The HTML pages (/, /p, /docs) set their own policy over these. A 304 Not Modified
 * carries only its validators and cache headers (RFC 9110 §15.4.5: the client keeps the headers of the answer it
 * cached), so a conditional request (If-None-Match) gets the security headers when its answer is anything else:
 * the unchanged notification poll, tens of thousands a second, then writes 3 headers instead of 14. Both hooks are
 * synchronous.
 */
export function registerSecurityHeaders(app: FastifyInstance, security: Record<string, string>): void {
  const names = Object.keys(security);
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers['if-none-match'] === undefined) void reply.headers(security);
    void reply.header('x-request-id', request.id);
    if (request.protocol === 'https') {
      void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 304 && request.headers['if-none-match'] !== undefined) {
      // Set after the route ran: a page's own policy (set by its handler) stays.
      for (const name of names) if (!reply.hasHeader(name)) void reply.header(name, security[name]);
    }
    done(null, payload);
  });
}
