import crypto from 'node:crypto';
import {
  errors,
  type AdminProject,
  type BroadcastBody,
  type Canary,
  type CanaryBody,
  type ProjectPlan,
} from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { Queue } from '../../infra/queue.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import { AdminRepository, type CanaryRow } from './admin.repository.js';
import type { AuditService } from '../audit/audit.service.js';
import { NOOP_QUEUE } from '../../jobs/system-noop.job.js';
import { requireInstanceAdmin } from './admin-access.js';

/** Queue name of the canary job. */
export const CANARY_QUEUE = 'system-canary';

/** Instance administration: canary jobs through the queue, maintenance broadcasts. */
export class AdminService {
  readonly repo: AdminRepository;

  constructor(
    private readonly db: Database,
    private readonly queue: Queue,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {
    this.repo = new AdminRepository(db.orm);
  }

  /** Every instance admin: who hears about the system's own trouble. */
  adminIds(): Promise<string[]> {
    return this.repo.adminIds();
  }

  /** Instance admins only; everyone else gets 404, as if the admin area did not exist. */
  requireAdmin(auth: AuthContext): void {
    requireInstanceAdmin(auth);
  }

  /** Sends a canary through the queue: the row and its job commit together, so neither exists without the other. */
  async startCanary(auth: AuthContext, body: CanaryBody): Promise<Canary> {
    this.requireAdmin(auth);
    const row = await this.db.transaction(async (tx) => {
      const inserted = await this.repo.insertCanary(tx.orm, {
        id: crypto.randomUUID(),
        requestedBy: auth.userId,
        status: 'queued',
        delayMs: body.delay_ms ?? 0,
      });
      await this.queue.send(CANARY_QUEUE, { canary_id: inserted.id }, tx);
      tx.afterCommit(() => this.notifications.pollStateChanged(auth.userId));
      await this.audit.record(
        { actorId: auth.userId, action: 'admin.canary', target: { type: 'canary', id: inserted.id }, ip: auth.ip },
        tx.orm,
      );
      return inserted;
    });
    return toCanary(row);
  }

  /** Sets a project's plan (instance admins; audited with the plan before and after). */
  async setProjectPlan(auth: AuthContext, projectId: string, plan: ProjectPlan): Promise<AdminProject> {
    this.requireAdmin(auth);
    return this.db.transaction(async (tx) => {
      const row = await this.repo.setProjectPlan(tx.orm, projectId, plan);
      if (!row) throw errors.notFound('project');
      await this.audit.record(
        {
          actorId: auth.userId,
          action: 'admin.project_plan',
          target: { type: 'project', id: projectId },
          projectId,
          ip: auth.ip,
          details: { from: row.previous, to: plan },
        },
        tx.orm,
      );
      return { id: row.id, name: row.name, plan: row.plan };
    });
  }

  async getCanary(auth: AuthContext, id: string): Promise<Canary> {
    this.requireAdmin(auth);
    const row = await this.repo.findCanary(id);
    if (!row) throw errors.notFound('canary');
    return toCanary(row);
  }

  /** Enqueues `jobs` no-op jobs to measure the queue end to end; follow them with probeStatus. */
  async startProbe(
    auth: AuthContext,
    jobs: number,
  ): Promise<{ probe_id: string; enqueued: number; enqueue_ms: number }> {
    this.requireAdmin(auth);
    const probe = crypto.randomUUID();
    const started = performance.now();
    for (let i = 0; i < jobs; i += 1000) {
      await this.queue.sendMany(
        NOOP_QUEUE,
        Array.from({ length: Math.min(1000, jobs - i) }, () => ({ probe })),
      );
    }
    return { probe_id: probe, enqueued: jobs, enqueue_ms: Math.round(performance.now() - started) };
  }

  async probeStatus(
    auth: AuthContext,
    probeId: string,
  ): Promise<{ probe_id: string; total: number; completed: number; failed: number }> {
    this.requireAdmin(auth);
    const byState = await this.queue.countByData(NOOP_QUEUE, 'probe', probeId);
    const total = Object.values(byState).reduce((a, b) => a + b, 0);
    if (total === 0) throw errors.notFound('probe');
    return { probe_id: probeId, total, completed: byState.completed ?? 0, failed: byState.failed ?? 0 };
  }

  /** Tells every user of the instance about planned maintenance. */
  async broadcast(auth: AuthContext, body: BroadcastBody): Promise<{ notified: number }> {
    this.requireAdmin(auth);
    const userIds = await this.repo.allUserIds();
    await this.notifications.notify({
      userIds,
      projectId: null,
      type: 'system_maintenance_warning',
      payload: { message: body.message, ...(body.starts_at && { starts_at: body.starts_at }) },
    });
    await this.audit.record({
      actorId: auth.userId,
      action: 'admin.broadcast',
      ip: auth.ip,
      details: { recipients: userIds.length },
    });
    return { notified: userIds.length };
  }
}

/** The API's view of a canary row. */
export function toCanary(row: CanaryRow): Canary {
  return {
    canary_id: row.id,
    status: row.status,
    delay_ms: row.delayMs,
    attempts: row.attempts,
    worker_id: row.workerId,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt ? row.startedAt.toISOString() : null,
    finished_at: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}
