import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify from 'fastify';

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
