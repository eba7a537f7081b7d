import type { DeepHealth, Health, WorkersHealth } from '@hivesync/core';
import { errorFromResponse } from './errors.js';
import type { RequestOptions, Transport } from './transport.js';

/** /health (public, outside /api/v1): liveness, readiness of each backend, workers and queues. */
export class HealthApi {
  constructor(private readonly transport: Transport) {}

  /** Liveness and the server's version. */
  basic(opts?: RequestOptions): Promise<Health> {
    return this.transport.json<Health>({ method: 'GET', path: '/health', root: true, auth: false }, opts);
  }

  /**
   * Readiness of each backend; resolves for both 200 and 503 (then `status` is `fail`). Sent with the session's token
   * when there is one: an instance admin then sees each check's message, anyone else its status and latency.
   */
  async deep(opts?: RequestOptions): Promise<DeepHealth> {
    const reply = await this.transport.send<DeepHealth | undefined>(
      { method: 'GET', path: '/health/deep', root: true, accept: [503] },
      opts,
    );
    // A 503 from something in front of the server (a proxy, an error envelope) is an error, not a health report.
    if (typeof reply.body !== 'object' || reply.body === null || !('checks' in reply.body)) {
      throw errorFromResponse(reply.status, reply.headers, JSON.stringify(reply.body ?? null));
    }
    return reply.body;
  }

  /** Worker heartbeats and queue depths. */
  workers(opts?: RequestOptions): Promise<WorkersHealth> {
    return this.transport.json<WorkersHealth>(
      { method: 'GET', path: '/health/workers', root: true, auth: false },
      opts,
    );
  }
}
