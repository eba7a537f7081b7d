import type { BroadcastBody, BroadcastResult, Canary, CanaryBody } from '@hivesync/core';
import type { RequestOptions, Transport } from './transport.js';

/** /admin: instance administration (instance admins only; everyone else gets forbidden). */
export class AdminApi {
  constructor(private readonly transport: Transport) {}

  /** Sends a canary job through the queue, to prove the workers pick up work. */
  canary(body: CanaryBody = {}, opts?: RequestOptions): Promise<Canary> {
    return this.transport.json<Canary>({ method: 'POST', path: '/admin/canary', body }, opts);
  }

  /** A canary job, to see whether a worker ran it. */
  getCanary(id: string, opts?: RequestOptions): Promise<Canary> {
    return this.transport.json<Canary>({ method: 'GET', path: `/admin/canary/${encodeURIComponent(id)}` }, opts);
  }

  /** Sends a system_maintenance_warning notification to every user. */
  broadcast(body: BroadcastBody, opts?: RequestOptions): Promise<BroadcastResult> {
    return this.transport.json<BroadcastResult>({ method: 'POST', path: '/admin/broadcast', body }, opts);
  }
}
