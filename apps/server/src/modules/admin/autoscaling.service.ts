import {
  type AutoscalingDecision,
  type AutoscalingDecisionPage,
  type AutoscalingDecisionQuery,
  type AutoscalingRule,
  type AutoscalingRules,
  type PoolScale,
  type PutAutoscalingRulesBody,
  type ScalePoolBody,
} from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { OnceStore } from '../../infra/once.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthContext } from '../auth/auth.types.js';
import { badInput, requireInstanceAdmin } from './admin-access.js';
import {
  AutoscalingRepository,
  type DecisionRow,
  type PoolScalingRow,
  type RuleRow,
} from './autoscaling.repository.js';
import { DEFAULT_POOL, type OperationsService } from './operations.service.js';
import type { QueueFigures } from './operations.repository.js';
import type { ScalingTarget } from './scaling-targets.js';

const PAGE_DEFAULT = 50;
const MANUAL_DEFAULT_MINUTES = 60;

/** What the evaluator saw of a pool. */
export interface PoolInput {
  waiting: number;
  running: number;
  oldest_waiting_seconds: number | null;
  live_workers: number;
  idle_minutes: number | null;
}

/**
 * Autoscaling: rules per pool in the database, evaluated every HIVESYNC_AUTOSCALE_INTERVAL_SECONDS by one process of
 * the installation at a time; every change of a pool's desired count is a recorded decision, carried out by the
 * configured target (log, exec or kubernetes). Manual scaling holds a pool at a count for a while.
 */
export class AutoscalingService {
  readonly repo: AutoscalingRepository;

  constructor(
    private readonly deps: {
      db: Database;
      ops: OperationsService;
      target: ScalingTarget;
      once: OnceStore;
      audit: AuditService;
      logger: Logger;
      intervalMs: number;
    },
  ) {
    this.repo = new AutoscalingRepository(deps.db.orm);
  }

  async rules(auth: AuthContext): Promise<AutoscalingRules> {
    requireInstanceAdmin(auth);
    const [rules, pools, live] = await Promise.all([
      this.repo.rules(),
      this.repo.pools(),
      this.deps.ops.liveWorkersByPool(),
    ]);
    const names = new Set([...rules.map((r) => r.pool), ...pools.map((p) => p.pool), ...live.keys()]);
    // Before any worker beat or any rule exists, the one pool there is.
    if (names.size === 0) names.add(DEFAULT_POOL);
    const byPool = new Map(pools.map((p) => [p.pool, p]));
    return {
      rules: rules.map(toRule),
      target: this.deps.target.kind,
      pools: [...names].sort().map((pool) => toPoolScale(pool, byPool.get(pool), live.get(pool)?.workers ?? 0)),
    };
  }

  /** Replaces the rules (one per pool; min ≤ max). */
  async putRules(auth: AuthContext, body: PutAutoscalingRulesBody): Promise<AutoscalingRules> {
    requireInstanceAdmin(auth);
    const seen = new Set<string>();
    for (const [i, rule] of body.rules.entries()) {
      if (seen.has(rule.pool)) throw badInput(`rules.${i}.pool`, `pool ${rule.pool} has more than one rule`);
      seen.add(rule.pool);
      if (rule.min_workers > rule.max_workers) {
        throw badInput(`rules.${i}.min_workers`, 'must not exceed max_workers');
      }
    }
    await this.deps.db.transaction(async (tx) => {
      await this.repo.replaceRules(
        tx.orm,
        body.rules.map((r) => ({
          pool: r.pool,
          minWorkers: r.min_workers,
          maxWorkers: r.max_workers,
          scaleUpOldestSeconds: r.scale_up_oldest_seconds,
          scaleUpDepth: r.scale_up_depth,
          scaleDownIdleMinutes: r.scale_down_idle_minutes,
          enabled: r.enabled,
          updatedBy: auth.userId,
        })),
      );
      await this.deps.audit.record(
        {
          actorId: auth.userId,
          action: 'admin.autoscaling_rules_updated',
          ip: auth.ip ?? null,
          details: { rules: body.rules },
        },
        tx.orm,
      );
    });
    return this.rules(auth);
  }

  async decisions(auth: AuthContext, query: AutoscalingDecisionQuery): Promise<AutoscalingDecisionPage> {
    requireInstanceAdmin(auth);
    const limit = query.limit ?? PAGE_DEFAULT;
    let before: number | undefined;
    if (query.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(query.cursor)) throw badInput('cursor', 'must be a next_cursor from a previous page');
      before = Number(query.cursor);
    }
    const rows = await this.repo.decisions(query.pool, limit + 1, before);
    const page = rows.slice(0, limit);
    return {
      decisions: page.map(toDecision),
      next_cursor: rows.length > limit ? String(page.at(-1)!.id) : null,
    };
  }

  /** Holds a pool at `desired` workers for a while: recorded as a manual decision and carried out at once. */
  async scalePool(auth: AuthContext, pool: string, body: ScalePoolBody): Promise<PoolScale> {
    requireInstanceAdmin(auth);
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(pool))
      throw badInput('pool', 'must be a pool name ([a-z0-9_-], 63 at most)');
    const until = new Date(Date.now() + (body.minutes ?? MANUAL_DEFAULT_MINUTES) * 60_000);
    const [state, rules, input] = await Promise.all([this.repo.pool(pool), this.repo.rules(), this.inputs()]);
    const decision = await this.deps.db.transaction(async (tx) => {
      await this.repo.savePool(tx.orm, pool, {
        desired: body.desired,
        manualDesired: body.desired,
        manualUntil: until,
      });
      await this.deps.audit.record(
        {
          actorId: auth.userId,
          action: 'admin.pool_scaled',
          target: { type: 'pool', id: pool },
          ip: auth.ip ?? null,
          details: { desired: body.desired, until: until.toISOString() },
        },
        tx.orm,
      );
      return this.repo.insertDecision(tx.orm, {
        pool,
        source: 'manual',
        rule: ruleSnapshot(rules.find((r) => r.pool === pool)),
        input: { ...(input.get(pool) ?? emptyInput()) },
        previous: state?.desired ?? null,
        desired: body.desired,
        reason: `set by an admin until ${until.toISOString()}`,
        target: this.deps.target.kind,
        applied: false,
      });
    });
    await this.apply(decision);
    const live = await this.deps.ops.liveWorkersByPool();
    return toPoolScale(pool, await this.repo.pool(pool), live.get(pool)?.workers ?? 0);
  }

  /** One evaluation, if no other process of the installation has done this interval's; returns the decisions. */
  async tick(now = Date.now()): Promise<DecisionRow[]> {
    const slot = Math.floor(now / this.deps.intervalMs);
    const ttl = Math.max(1, Math.ceil((this.deps.intervalMs * 2) / 1000));
    if (!(await this.deps.once.first(`autoscale:${slot}`, ttl))) return [];
    return this.evaluate(new Date(now));
  }

  /** Evaluates every enabled rule against its pool's queues and workers; records and applies each change. */
  async evaluate(now = new Date()): Promise<DecisionRow[]> {
    const rules = (await this.repo.rules()).filter((r) => r.enabled);
    if (rules.length === 0) return [];
    const [inputs, states] = await Promise.all([this.inputs(), this.repo.pools()]);
    const byPool = new Map(states.map((s) => [s.pool, s]));
    const decided: DecisionRow[] = [];
    for (const rule of rules) {
      const state = byPool.get(rule.pool);
      const input = inputs.get(rule.pool) ?? emptyInput();
      const idle = input.waiting === 0 && input.running === 0;
      let idleSince = idle ? (state?.idleSince ?? now) : null;
      input.idle_minutes = idleSince ? Math.floor((now.getTime() - idleSince.getTime()) / 60_000) : null;
      const { desired, reason, restartIdle } = decide(rule, state, input, now);
      if (restartIdle) idleSince = now;
      const previous = state?.desired ?? null;
      const changed = desired !== previous;
      const decision = await this.deps.db.transaction(async (tx) => {
        await this.repo.savePool(tx.orm, rule.pool, { desired, idleSince });
        if (!changed) return undefined;
        return this.repo.insertDecision(tx.orm, {
          pool: rule.pool,
          source: 'rule',
          rule: ruleSnapshot(rule),
          input: { ...input },
          previous,
          desired,
          reason,
          target: this.deps.target.kind,
          applied: false,
        });
      });
      if (decision) decided.push(await this.apply(decision));
    }
    return decided;
  }

  /** Carries a decision out through the target and records whether it worked. */
  private async apply(decision: DecisionRow): Promise<DecisionRow> {
    try {
      await this.deps.target.scale(decision.pool, decision.desired);
      await this.repo.markDecision(decision.id, true, null);
      this.deps.logger.info(
        { pool: decision.pool, desired: decision.desired, target: decision.target, reason: decision.reason },
        'autoscaling decision',
      );
      return { ...decision, applied: true };
    } catch (err) {
      const message = (err as Error).message;
      await this.repo.markDecision(decision.id, false, message);
      this.deps.logger.warn({ pool: decision.pool, desired: decision.desired, err: { message } }, 'scaling failed');
      return { ...decision, applied: false, error: message };
    }
  }

  /** Each pool's queue figures: the queues its workers serve (every queue while workers name none). */
  private async inputs(): Promise<Map<string, PoolInput>> {
    const [figures, live] = await Promise.all([this.deps.ops.repo.queueFigures(), this.deps.ops.liveWorkersByPool()]);
    const work = figures.filter((q) => !q.name.endsWith('-dead'));
    const out = new Map<string, PoolInput>();
    const pools = new Set([DEFAULT_POOL, ...live.keys(), ...(await this.repo.rules()).map((r) => r.pool)]);
    for (const pool of pools) {
      const served = live.get(pool)?.queues;
      out.set(pool, sumInput(served ? work.filter((q) => served.has(q.name)) : work, live.get(pool)?.workers ?? 0));
    }
    return out;
  }
}

/** The desired count a rule gives for what was seen. */
export function decide(
  rule: RuleRow,
  state: PoolScalingRow | undefined,
  input: PoolInput,
  now: Date,
): { desired: number; reason: string; restartIdle: boolean } {
  if (state?.manualUntil && state.manualUntil > now && state.manualDesired !== null) {
    return {
      desired: state.manualDesired,
      reason: `manual override until ${state.manualUntil.toISOString()}`,
      restartIdle: false,
    };
  }
  const clamp = (n: number) => Math.min(rule.maxWorkers, Math.max(rule.minWorkers, n));
  const current = state?.desired ?? input.live_workers;
  const reasons: string[] = [];
  let wanted = current;
  if (rule.scaleUpDepth !== null && input.waiting > rule.scaleUpDepth) {
    reasons.push(`${input.waiting} jobs waiting > ${rule.scaleUpDepth}`);
    wanted = Math.max(current + 1, Math.ceil(input.waiting / rule.scaleUpDepth));
  }
  if (
    rule.scaleUpOldestSeconds !== null &&
    input.oldest_waiting_seconds !== null &&
    input.oldest_waiting_seconds > rule.scaleUpOldestSeconds
  ) {
    reasons.push(`oldest waiting job ${Math.round(input.oldest_waiting_seconds)} s > ${rule.scaleUpOldestSeconds} s`);
    wanted = Math.max(wanted, current + 1);
  }
  if (reasons.length > 0) {
    const desired = clamp(wanted);
    return {
      desired,
      reason: `scale up: ${reasons.join('; ')}${desired === rule.maxWorkers ? ` (max ${rule.maxWorkers})` : ''}`,
      restartIdle: false,
    };
  }
  if (input.idle_minutes !== null && input.idle_minutes >= rule.scaleDownIdleMinutes) {
    return {
      desired: clamp(current - 1),
      reason: `scale down: idle for ${input.idle_minutes} min >= ${rule.scaleDownIdleMinutes} min`,
      restartIdle: true,
    };
  }
  const desired = clamp(current);
  return {
    desired,
    reason: desired === current ? 'steady' : `kept within min ${rule.minWorkers} and max ${rule.maxWorkers}`,
    restartIdle: false,
  };
}

function sumInput(queues: QueueFigures[], liveWorkers: number): PoolInput {
  let oldest: number | null = null;
  for (const q of queues) {
    if (q.oldestWaitingSeconds !== null) oldest = Math.max(oldest ?? 0, q.oldestWaitingSeconds);
  }
  return {
    waiting: queues.reduce((a, q) => a + q.waiting, 0),
    running: queues.reduce((a, q) => a + q.running, 0),
    oldest_waiting_seconds: oldest,
    live_workers: liveWorkers,
    idle_minutes: null,
  };
}

function emptyInput(): PoolInput {
  return { waiting: 0, running: 0, oldest_waiting_seconds: null, live_workers: 0, idle_minutes: null };
}

function ruleSnapshot(rule: RuleRow | undefined): Record<string, unknown> | null {
  return rule ? { ...toRule(rule) } : null;
}

function toRule(r: RuleRow): AutoscalingRule {
  return {
    pool: r.pool,
    min_workers: r.minWorkers,
    max_workers: r.maxWorkers,
    scale_up_oldest_seconds: r.scaleUpOldestSeconds,
    scale_up_depth: r.scaleUpDepth,
    scale_down_idle_minutes: r.scaleDownIdleMinutes,
    enabled: r.enabled,
  };
}

function toPoolScale(pool: string, state: PoolScalingRow | undefined, liveWorkers: number): PoolScale {
  const manual =
    state?.manualUntil && state.manualUntil.getTime() > Date.now() && state.manualDesired !== null
      ? { desired: state.manualDesired, until: state.manualUntil.toISOString() }
      : null;
  return { pool, desired: state?.desired ?? null, live_workers: liveWorkers, manual };
}

function toDecision(r: DecisionRow): AutoscalingDecision {
  const input = r.input as Partial<AutoscalingDecision['input']>;
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    pool: r.pool,
    source: r.source,
    rule: (r.rule as AutoscalingRule | null) ?? null,
    input: {
      waiting: input.waiting ?? 0,
      running: input.running ?? 0,
      oldest_waiting_seconds: input.oldest_waiting_seconds ?? null,
      live_workers: input.live_workers ?? 0,
      idle_minutes: input.idle_minutes ?? null,
    },
    previous: r.previous,
    desired: r.desired,
    reason: r.reason,
    target: r.target as AutoscalingDecision['target'],
    applied: r.applied,
    error: r.error,
  };
}
