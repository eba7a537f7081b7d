import { errors, type HealthHistory, type HealthHistoryQuery } from '@hivesync/core';
import { asc, gte, lt } from 'drizzle-orm';
import { healthSamples } from '../../db/schema.js';
import type { Database } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { OnceStore } from '../../infra/once.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { HealthService } from '../health/health.service.js';
import { requireInstanceAdmin } from './admin-access.js';

/** Samples are kept this long. */
const KEEP_DAYS = 7;
const DEFAULT_HOURS = 24;

/**
 * The deep health's history: one process of the installation at a time records every check's state each
 * HIVESYNC_HEALTH_SAMPLE_SECONDS (the once-per-slot pattern of infra/once.ts), and admins read a check's states over
 * the last hours.
 */
export class HealthHistoryService {
  constructor(
    private readonly deps: {
      db: Database;
      health: HealthService;
      once: OnceStore;
      logger: Logger;
      intervalMs: number;
    },
  ) {}

  /** Records one sample of every check, if no other process has recorded this interval's; prunes old ones. */
  async tick(now = Date.now()): Promise<boolean> {
    const slot = Math.floor(now / this.deps.intervalMs);
    if (
      !(await this.deps.once.first(`health-sample:${slot}`, Math.max(1, Math.ceil((this.deps.intervalMs * 2) / 1000))))
    )
      return false;
    await this.sample(new Date(now));
    return true;
  }

  /** Records the current state of every deep-health check. */
  async sample(at = new Date()): Promise<void> {
    const deep = await this.deps.health.deepForAdmin();
    const orm = this.deps.db.orm;
    await orm.insert(healthSamples).values(
      Object.entries(deep.checks).map(([check, c]) => ({
        at,
        check,
        status: c.status,
        latencyMs: Math.round(c.latency_ms),
        message: c.message ?? null,
      })),
    );
    await orm.delete(healthSamples).where(lt(healthSamples.at, new Date(at.getTime() - KEEP_DAYS * 86_400_000)));
  }

  async history(auth: AuthContext, query: HealthHistoryQuery): Promise<HealthHistory> {
    requireInstanceAdmin(auth);
    const hours = query.hours ?? DEFAULT_HOURS;
    if (hours > KEEP_DAYS * 24) throw errors.validation(`hours: at most ${KEEP_DAYS * 24}`);
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3600_000);
    const rows = await this.deps.db.orm
      .select()
      .from(healthSamples)
      .where(gte(healthSamples.at, from))
      .orderBy(asc(healthSamples.check), asc(healthSamples.at));
    const checks = new Map<string, HealthHistory['checks'][number]['samples']>();
    for (const r of rows) {
      const list = checks.get(r.check) ?? [];
      list.push({ at: r.at.toISOString(), status: r.status, latency_ms: r.latencyMs, message: r.message });
      checks.set(r.check, list);
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      checks: [...checks].map(([name, samples]) => ({ name, samples })),
    };
  }
}
