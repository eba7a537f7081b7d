import type {
  AuditEntry,
  AuditPage,
  AuditQuery,
  BroadcastBody,
  BroadcastResult,
  Canary,
  CanaryBody,
} from '@hivesync/core';
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

  /**
   * One page of the audit log, newest first: filtered by actor (a user id or an email), action (exact, or a prefix
   * such as `member.*`), project and time range (`from`, `to`). `next_cursor`, passed back as `cursor`, gives the
   * next (older) page; it is null on the last one.
   */
  audit(query: AuditQuery = {}, opts?: RequestOptions): Promise<AuditPage> {
    return this.transport.json<AuditPage>({ method: 'GET', path: '/admin/audit', query: { ...query } }, opts);
  }

  /**
   * Every entry of the audit log that matches, newest first, page after page (`limit` is the page size): follows
   * `next_cursor` until the last page, fetching a page only when the previous one is used up.
   */
  async *auditAll(query: AuditQuery = {}, opts?: RequestOptions): AsyncGenerator<AuditEntry, void, undefined> {
    let cursor = query.cursor;
    do {
      const page = await this.audit({ ...query, ...(cursor !== undefined && { cursor }) }, opts);
      yield* page.entries;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }
}
