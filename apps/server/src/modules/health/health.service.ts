import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Check, DeepHealth, WorkersHealth } from '@hivesync/core';
import type { Redis } from 'ioredis';
import type { AuthContext } from '../auth/auth.types.js';
import type { Database } from '../../infra/db.js';
import type { HeartbeatStore } from '../../infra/heartbeats.js';
import type { Queue } from '../../infra/queue.js';
import type { ObjectStorage } from '../../infra/storage.js';

const run = promisify(execFile);
const CHECK_TIMEOUT_MS = 3000;
/** /health/deep answers from one result for this long, however many ask (each check costs a real round trip). */
const DEEP_CACHE_MS = 10_000;

/** Liveness and readiness of every backend, and the workers' heartbeats. */
export class HealthService {
  private deepResult: { startedAt: number; result: Promise<DeepHealth> } | undefined;
  /** How many times the checks ran (the cache's effect, visible to tests). */
  deepComputations = 0;

  constructor(
    private readonly deps: {
      version: string;
      db: Database;
      redis: Redis | undefined;
      storage: ObjectStorage;
      queue: Queue;
      heartbeats: HeartbeatStore;
      dataDir: string;
      minFreeDiskMb: number;
      heartbeatIntervalMs: number;
      /** How long a /health/deep result is reused; defaults to 10 s. */
      deepCacheMs?: number;
    },
  ) {}

  basic() {
    return { status: 'ok' as const, version: this.deps.version };
  }

  /**
   * Readiness of every backend, from a result at most 10 s old: the checks run at most once per 10 s, and callers
   * that arrive while they run share that run. Anyone sees each check's status and latency; only an instance admin
   * sees the messages (versions, free space, hosts and errors of the backends).
   */
  async deep(auth: AuthContext | null): Promise<DeepHealth> {
    const full = await this.deepForAdmin();
    if (auth?.role === 'admin') return full;
    const bare = ({ status, latency_ms }: Check): Check => ({ status, latency_ms });
    const c = full.checks;
    return {
      status: full.status,
      checks: {
        database: bare(c.database),
        redis: bare(c.redis),
        storage: bare(c.storage),
        git: bare(c.git),
        disk: bare(c.disk),
      },
    };
  }

  /** The full result, messages included (what an admin sees), from the same shared, at most 10 s old run. */
  async deepForAdmin(): Promise<DeepHealth> {
    const now = Date.now();
    if (!this.deepResult || now - this.deepResult.startedAt >= (this.deps.deepCacheMs ?? DEEP_CACHE_MS)) {
      this.deepComputations++;
      this.deepResult = { startedAt: now, result: this.checkAll() };
    }
    return this.deepResult.result;
  }

  /** Every check runs concurrently; database, storage, git and disk are required, Redis degrades. Never throws. */
  private async checkAll(): Promise<DeepHealth> {
    const { db, redis, storage } = this.deps;
    const [database, redisCheck, storageCheck, git, disk] = await Promise.all([
      timed(() => db.ping()),
      redis ? timed(async () => void (await redis.ping())) : Promise.resolve(disabled('not configured; in-process')),
      timed(() => storage.check()),
      timed(async () => {
        const { stdout } = await run('git', ['--version'], { timeout: CHECK_TIMEOUT_MS });
        return stdout.trim();
      }),
      timed(async () => {
        const s = await fs.statfs(this.deps.dataDir);
        const freeMb = Math.floor((s.bavail * s.bsize) / 1024 / 1024);
        if (freeMb < this.deps.minFreeDiskMb) {
          throw new Error(`${freeMb} MiB free, below the ${this.deps.minFreeDiskMb} MiB minimum`);
        }
        return `${freeMb} MiB free`;
      }),
    ]);
    const redisResult: Check = redisCheck.status === 'fail' ? { ...redisCheck, status: 'degraded' } : redisCheck;
    const required = [database, storageCheck, git, disk];
    const status = required.some((c) => c.status === 'fail')
      ? 'fail'
      : redisResult.status === 'degraded'
        ? 'degraded'
        : 'ok';
    return { status, checks: { database, redis: redisResult, storage: storageCheck, git, disk } };
  }

  async workers(): Promise<WorkersHealth> {
    const staleBefore = Date.now() - 3 * this.deps.heartbeatIntervalMs;
    // Heartbeats live in Redis when it is configured: while it is down, show the queues and no workers.
    const [records, queues] = await Promise.all([
      this.deps.heartbeats.list().catch(() => []),
      this.deps.queue.depths(),
    ]);
    return {
      workers: records
        .map((w) => ({
          id: w.id,
          kind: w.kind,
          last_heartbeat_at: w.last_heartbeat_at,
          status: new Date(w.last_heartbeat_at).getTime() < staleBefore ? ('stale' as const) : ('healthy' as const),
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
      queues: queues.filter((q) => !q.name.endsWith('-dead') || q.queued + q.active + q.failed > 0),
    };
  }
}

function disabled(message: string): Check {
  return { status: 'disabled', latency_ms: 0, message };
}

async function timed(fn: () => Promise<string | void>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const message = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'ok', latency_ms: elapsed(started), ...(message && { message }) };
  } catch (err) {
    return { status: 'fail', latency_ms: elapsed(started), message: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
