import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { NotificationType } from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { Queue } from '../../infra/queue.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { HealthService } from './health.service.js';
import { SystemWatchRepository } from './system-watch.repository.js';

/** A condition seen in one look: what kind, about what, and what admins are told. */
interface Condition {
  kind: 'health' | 'disk' | 'queue';
  subject: string;
  type: Extract<NotificationType, 'system_health_issue' | 'resource_limit_warning'>;
  details: Record<string, unknown>;
}

export interface SystemWatchOptions {
  dataDir: string;
  /** Below this share of the data directory's file system free (percent), admins get `resource_limit_warning`. */
  diskWarningFreePercent: number;
  /** Above this many waiting jobs in one queue, admins get `resource_limit_warning`. */
  queueDepthWarning: number;
}

/**
 * The workers' look at the system itself, once a minute: /health/deep turning degraded or failing, the data
 * directory's disk running low, a queue backing up. Each condition is an incident, opened once (one row, whichever
 * worker sees it first) and closed when it clears; admins are notified when it opens, never again while it lasts.
 */
export class SystemWatchService {
  readonly repo: SystemWatchRepository;

  constructor(
    private readonly deps: {
      db: Database;
      health: HealthService;
      queue: Queue;
      notifications: NotificationsService;
      adminIds: () => Promise<string[]>;
      logger: Logger;
      options: SystemWatchOptions;
    },
  ) {
    this.repo = new SystemWatchRepository(deps.db.orm);
  }

  /** One look; returns the incidents it opened (what admins were just told about). */
  async check(): Promise<Condition[]> {
    const [health, disk, queues] = await Promise.all([
      this.healthCondition(),
      this.diskCondition(),
      this.queueConditions(),
    ]);
    const seen = [...(health ? [health] : []), ...(disk ? [disk] : []), ...queues];
    const opened: Condition[] = [];
    for (const kind of ['health', 'disk', 'queue'] as const) {
      const closed = await this.repo.closeExcept(
        kind,
        seen.filter((c) => c.kind === kind).map((c) => c.subject),
      );
      for (const c of closed) this.deps.logger.info({ kind: c.kind, subject: c.subject }, 'system incident cleared');
    }
    if (seen.length === 0) return opened;
    const admins = await this.deps.adminIds(); // read before the transaction: the embedded database runs one at a time
    for (const condition of seen) {
      const isNew = await this.deps.db.transaction(async (tx) => {
        const row = await this.repo.open(tx.orm, {
          id: crypto.randomUUID(),
          kind: condition.kind,
          subject: condition.subject,
          details: condition.details,
        });
        if (!row) return false;
        await this.deps.notifications.notify(
          { userIds: admins, projectId: null, type: condition.type, payload: condition.details },
          tx,
        );
        return true;
      });
      if (isNew) {
        opened.push(condition);
        this.deps.logger.warn(
          { kind: condition.kind, subject: condition.subject, ...condition.details },
          'system incident',
        );
      }
    }
    return opened;
  }

  private async healthCondition(): Promise<Condition | undefined> {
    const deep = await this.deps.health.deepForAdmin();
    if (deep.status === 'ok') return undefined;
    const failing = Object.entries(deep.checks)
      .filter(([, check]) => check.status === 'fail' || check.status === 'degraded')
      .map(([name, check]) => ({ check: name, status: check.status, message: check.message ?? null }));
    return {
      kind: 'health',
      subject: '',
      type: 'system_health_issue',
      details: { status: deep.status, checks: failing },
    };
  }

  private async diskCondition(): Promise<Condition | undefined> {
    const s = await fs.statfs(this.deps.options.dataDir);
    const freePercent = s.blocks > 0 ? (s.bavail / s.blocks) * 100 : 100;
    if (freePercent >= this.deps.options.diskWarningFreePercent) return undefined;
    return {
      kind: 'disk',
      subject: '',
      type: 'resource_limit_warning',
      details: {
        resource: 'disk',
        free_percent: Math.round(freePercent * 10) / 10,
        free_mb: Math.floor((s.bavail * s.bsize) / 1024 / 1024),
        threshold_percent: this.deps.options.diskWarningFreePercent,
      },
    };
  }

  private async queueConditions(): Promise<Condition[]> {
    const limit = this.deps.options.queueDepthWarning;
    return (await this.deps.queue.depths())
      .filter((q) => q.queued > limit)
      .map((q) => ({
        kind: 'queue' as const,
        subject: q.name,
        type: 'resource_limit_warning' as const,
        details: { resource: 'queue', queue: q.name, waiting: q.queued, threshold: limit },
      }));
  }
}
