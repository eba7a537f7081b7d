import type { Redis } from 'ioredis';
import { eq, lt } from 'drizzle-orm';
import { workerHeartbeats, type ActiveJobLease } from '../db/schema.js';
import type { Database } from './db.js';

/** What a worker says about itself on every beat. */
export interface WorkerRecord {
  id: string;
  kind: string;
  started_at: string;
  last_heartbeat_at: string;
  active_jobs: ActiveJobLease[];
  /** Set while the worker is drained by an admin (takes no new jobs). */
  draining?: boolean;
  /** The pools this worker serves (`cpu`, `gpu`, …; see jobs/pools.ts). Absent in records of older workers. */
  pools?: string[];
  /** Jobs each of its pools runs at once, by pool. */
  concurrency?: Record<string, number>;
  /** The queues it polls (each pool's, priority queues first). */
  queues?: string[];
  /** How it isolates sandboxed jobs: `bwrap`, `unshare`, `none` (HIVESYNC_SANDBOX=off) or `unavailable`. */
  sandbox?: string;
}

/** The fields of a record beyond the ones every worker has always sent (kept as they are by both stores). */
const BASE_FIELDS = new Set(['id', 'kind', 'started_at', 'last_heartbeat_at', 'active_jobs']);

function details(r: WorkerRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([k, v]) => !BASE_FIELDS.has(k) && v !== undefined));
}

/** Where worker liveness is kept: Redis when configured, else the database. */
export interface HeartbeatStore {
  readonly description: string;
  beat(record: WorkerRecord): Promise<void>;
  list(): Promise<WorkerRecord[]>;
  remove(id: string): Promise<void>;
  /** Drops records whose last beat is older than `before`. */
  prune(before: Date): Promise<void>;
}

/** Heartbeats in the database (embedded mode, or no Redis). */
export function createDbHeartbeatStore(db: Database): HeartbeatStore {
  return {
    description: 'database',
    async beat(r) {
      const row = {
        id: r.id,
        kind: r.kind,
        startedAt: new Date(r.started_at),
        lastHeartbeatAt: new Date(r.last_heartbeat_at),
        activeJobs: r.active_jobs,
        details: details(r),
      };
      await db.orm
        .insert(workerHeartbeats)
        .values(row)
        .onConflictDoUpdate({
          target: workerHeartbeats.id,
          set: { lastHeartbeatAt: row.lastHeartbeatAt, activeJobs: row.activeJobs, details: row.details },
        });
    },
    async list() {
      const rows = await db.orm.select().from(workerHeartbeats);
      return rows.map((w) => ({
        ...(w.details as Partial<WorkerRecord>),
        id: w.id,
        kind: w.kind,
        started_at: w.startedAt.toISOString(),
        last_heartbeat_at: w.lastHeartbeatAt.toISOString(),
        active_jobs: w.activeJobs,
      }));
    },
    async remove(id) {
      await db.orm.delete(workerHeartbeats).where(eq(workerHeartbeats.id, id));
    },
    async prune(before) {
      await db.orm.delete(workerHeartbeats).where(lt(workerHeartbeats.lastHeartbeatAt, before));
    },
  };
}

/** Heartbeats in one Redis hash, shared by every process of the installation. */
export function createRedisHeartbeatStore(redis: Redis, prefix: string): HeartbeatStore {
  const key = `${prefix}workers`;
  return {
    description: 'redis',
    async beat(r) {
      await redis.hset(key, r.id, JSON.stringify(r));
    },
    async list() {
      const all = await redis.hgetall(key);
      return Object.values(all).map((v) => JSON.parse(v) as WorkerRecord);
    },
    async remove(id) {
      await redis.hdel(key, id);
    },
    async prune(before) {
      const stale = (await this.list()).filter((w) => new Date(w.last_heartbeat_at) < before).map((w) => w.id);
      if (stale.length > 0) await redis.hdel(key, ...stale);
    },
  };
}
