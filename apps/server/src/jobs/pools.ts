import type { SqlExecutor } from '../infra/db.js';

/**
 * Worker pools: which pool runs each kind of job, and how a job's queue and priority follow from its project's plan.
 * The table is documented in docs/OPERATIONS.md (Pools and tiers); keep the two in step.
 */

/** The pools a worker can serve. */
export const POOLS = ['cpu', 'gpu'] as const;
export type Pool = (typeof POOLS)[number];

/** The pool of each job kind (by its base queue). A kind not listed runs on `cpu`. */
export const POOL_OF_QUEUE: Readonly<Record<string, Pool>> = {
  'repo-sync': 'cpu',
  'search-index': 'cpu',
  'preview-build': 'cpu',
  'ai-job': 'cpu',
  'push-deliver': 'cpu',
  'system-canary': 'cpu',
  'system-noop': 'cpu',
};

/** Job kinds that have a `gpu` variant: their jobs of `pro` projects go to `<queue>-gpu`, on the gpu pool. */
export const GPU_KINDS: ReadonlySet<string> = new Set(['ai-job']);

/** Priority of a `pro` project's jobs (a `free` one's is 0): workers fetch higher priorities first. */
export const PRO_PRIORITY = 10;

/** The queue a job kind's gpu variant uses. */
export const gpuQueue = (queue: string) => `${queue}-gpu`;

/** The pool a (possibly gpu-variant) queue belongs to. */
export function poolOf(queue: string): Pool {
  for (const base of GPU_KINDS) if (queue === gpuQueue(base)) return 'gpu';
  return POOL_OF_QUEUE[queue] ?? 'cpu';
}

/** Every queue a job kind uses: its own, and its gpu variant when it has one. */
export function queuesOf(queue: string): string[] {
  return GPU_KINDS.has(queue) ? [queue, gpuQueue(queue)] : [queue];
}

/**
 * How to find a job's project from its data, per kind, so that the plan decides its priority and pool without every
 * service looking the plan up itself. Jobs of other kinds (system jobs) may carry `plan` in their data.
 */
const PLAN_LOOKUP: Readonly<Record<string, { key: string; sql: string }>> = {
  'ai-job': {
    key: 'ai_job_id',
    sql: 'select p.plan from ai_jobs j join projects p on p.id = j.project_id where j.id = $1',
  },
  'repo-sync': {
    key: 'sync_id',
    sql: 'select p.plan from repo_syncs s join projects p on p.id = s.project_id where s.id = $1',
  },
  'search-index': { key: 'project_id', sql: 'select plan from projects where id = $1' },
  'preview-build': {
    key: 'build_id',
    sql: 'select p.plan from preview_builds b join projects p on p.id = b.project_id where b.id = $1',
  },
};

/** Where a job goes: its queue (the kind's, or its gpu variant) and its priority. */
export interface Route {
  queue: string;
  priority: number;
  plan: 'free' | 'pro';
}

/**
 * Routes a job by its project's plan: `pro` jobs get PRO_PRIORITY, and a kind with a gpu variant goes there. Reads
 * the plan in the caller's transaction when there is one (the job's row may not be committed yet).
 */
export async function routeJob(queue: string, data: object, sql: SqlExecutor): Promise<Route> {
  let plan: 'free' | 'pro' = 'free';
  const given = (data as { plan?: unknown }).plan;
  const lookup = PLAN_LOOKUP[queue];
  if (given === 'pro' || given === 'free') plan = given;
  else if (lookup) {
    const id = (data as Record<string, unknown>)[lookup.key];
    if (typeof id === 'string') {
      const { rows } = await sql.executeSql(lookup.sql, [id]);
      if (rows[0]?.plan === 'pro') plan = 'pro';
    }
  }
  return {
    queue: plan === 'pro' && GPU_KINDS.has(queue) ? gpuQueue(queue) : queue,
    priority: plan === 'pro' ? PRO_PRIORITY : 0,
    plan,
  };
}

/**
 * `HIVESYNC_WORKER_POOLS` / `--pools`: `cpu,gpu` or with concurrencies `cpu:4,gpu:1` (jobs of that pool this worker
 * runs at once; the default is each queue's own). Returns the pools and their concurrency (undefined: the default).
 */
export function parsePools(value: string): Map<Pool, number | undefined> | string {
  const out = new Map<Pool, number | undefined>();
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, n, ...rest] = part.split(':');
    if (!(POOLS as readonly string[]).includes(name!) || rest.length > 0) {
      return `unknown pool "${name}": the pools are ${POOLS.join(', ')} (with an optional :concurrency, e.g. cpu:4)`;
    }
    if (n !== undefined && !/^[1-9]\d{0,3}$/.test(n)) return `the concurrency of ${name} must be 1 to 9999, not "${n}"`;
    out.set(name as Pool, n === undefined ? undefined : Number(n));
  }
  if (out.size === 0) return 'name at least one pool (cpu, gpu)';
  return out;
}
