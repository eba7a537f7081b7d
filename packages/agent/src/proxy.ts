import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_HEADER } from '@hivesync/sdk';
import { sendError } from './envelope.js';
import type { Session } from './session.js';

/** Headers that describe one hop, never forwarded (RFC 9110 §7.6.1), and the ones the agent sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'cookie',
  'origin',
  'referer',
  'content-length',
]);

/** An answer of the server, its body as a stream. */
export interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Readable;
}

/**
 * Forwards requests to the server over keep-alive connections with node:http, so bodies pass byte for byte (no
 * decompression, no re-encoding) and answers stream back as they arrive.
 */
export class Forwarder {
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    serverUrl: string,
    private readonly session: Session,
    private readonly version: string,
  ) {
    this.base = new URL(serverUrl);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 64 })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** Closes idle upstream connections. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Sends one request to the server with the user's access token (when the agent holds one); an answer of 401
   * `token_expired` refreshes the token and sends the request once more.
   */
  async send(options: {
    method: string;
    /** Path and query on the server, such as /api/v1/projects?limit=5. */
    path: string;
    headers: http.IncomingHttpHeaders;
    body?: Buffer;
    signal?: AbortSignal;
  }): Promise<Upstream> {
    const token = await this.session.accessToken();
    const first = await this.once(options, token);
    if (first.status !== 401 || token === null || this.session.client.tokens.refreshToken === null) return first;
    const text = await readAll(first.body);
    if (!/"code"\s*:\s*"token_expired"/.test(text.toString('utf8'))) return replay(first, text);
    try {
      await this.session.refreshAfter(token);
    } catch {
      return replay(first, text);
    }
    return this.once(options, this.session.client.tokens.accessToken);
  }

  private once(
    options: { method: string; path: string; headers: http.IncomingHttpHeaders; body?: Buffer; signal?: AbortSignal },
    token: string | null,
  ): Promise<Upstream> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(options.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name) && !name.startsWith('sec-')) headers[name] = value;
    }
    if (token !== null) headers.authorization = `Bearer ${token}`;
    headers['user-agent'] = `${options.headers['user-agent'] ?? 'unknown'} via hivesync-agent/${this.version}`;
    if (options.body !== undefined) headers['content-length'] = String(options.body.length);
    const url = new URL(options.path, this.base);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method: options.method, headers, agent: this.agent, signal: options.signal });
      req.once('response', (res) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res }));
      req.once('error', reject);
      req.end(options.body);
    });
  }
}

/**
 * Writes the server's answer to the plugin as it streams in, with the server's status and headers (the envelope
 * and the status codes stay the server's own).
 */
export function pipeAnswer(reply: FastifyReply, upstream: Upstream, version: string): void {
  reply.hijack();
  const raw = reply.raw;
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value !== undefined && (!HOP_BY_HOP.has(name) || name === 'content-length')) headers[name] = value;
  }
  headers[AGENT_HEADER] = version;
  raw.writeHead(upstream.status, headers);
  // A plugin that hangs up ends the upstream answer too (an abandoned download, a closed stream).
  raw.once('close', () => upstream.body.destroy());
  upstream.body.pipe(raw);
  upstream.body.once('error', () => raw.destroy());
}

/** The 503 the agent answers when the server cannot be reached from here. */
export function sendUnreachable(req: FastifyRequest, reply: FastifyReply, serverUrl: string, err: unknown): void {
  const cause = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
  sendError(
    req,
    reply,
    'service_unavailable',
    `The HiveSync agent cannot reach the server at ${serverUrl} (${cause}).`,
    { cause, server_url: serverUrl },
  );
}

/** Reads a stream to its end. */
export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

// An answer whose body was already read, as a fresh stream.
function replay(first: Upstream, body: Buffer): Upstream {
  return { ...first, body: Readable.from([body]) };
}
