import { errors, type AuditEntry, type AuditPage, type AuditQuery } from '@hivesync/core';
import type { auditLog } from '../../db/schema.js';
import type { Database, Orm } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { AuthContext } from '../auth/auth.types.js';
import { AuditRepository } from './audit.repository.js';

/** One thing that happened, as a service reports it. */
export interface AuditEvent {
  /** Who did it (a user id), if anyone was signed in. */
  actorId?: string | null;
  action: string;
  target?: { type: string; id: string };
  projectId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/**
 * The audit log: an append-only row per security- or content-relevant action (logins and failed logins,
 * membership, syncs, suggestions, previews, deleted threads, admin actions). The API offers no way to change or
 * delete a row, and a database trigger refuses it anyway. Admins search it at /admin/audit.
 */
export class AuditService {
  readonly repo: AuditRepository;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.repo = new AuditRepository(db.orm);
  }

  /** Records an event; pass the caller's transaction so the record commits (or not) with the action itself. */
  async record(event: AuditEvent, orm: Orm = this.db.orm): Promise<void> {
    try {
      await this.repo.insert(orm, {
        actorId: event.actorId ?? null,
        action: event.action,
        targetType: event.target?.type ?? null,
        targetId: event.target?.id ?? null,
        projectId: event.projectId ?? null,
        ip: event.ip ?? null,
        details: event.details ?? {},
      });
    } catch (err) {
      // Inside a transaction the failure propagates (the action rolls back with it); outside, it is logged loudly.
      if (orm !== this.db.orm) throw err;
      this.logger.error({ err, action: event.action }, 'could not write the audit log');
    }
  }

  /** Searches the log, newest first (instance admins only). */
  async search(auth: AuthContext, query: AuditQuery): Promise<AuditPage> {
    if (auth.role !== 'admin') throw errors.notFound('route');
    const limit = query.limit ?? 100;
    const rows = await this.repo.search(query, limit + 1);
    const page = rows.slice(0, limit);
    return {
      entries: page.map(toEntry),
      next_cursor: rows.length > limit ? String(page.at(-1)!.id) : null,
    };
  }
}

function toEntry(row: typeof auditLog.$inferSelect): AuditEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor_id: row.actorId,
    actor_email: row.actorEmail,
    action: row.action,
    target_type: row.targetType,
    target_id: row.targetId,
    project_id: row.projectId,
    ip: row.ip,
    details: row.details,
  };
}
