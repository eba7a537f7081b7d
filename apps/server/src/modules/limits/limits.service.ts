import { AppError } from '@hivesync/core';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../../infra/db.js';
import type { Logger } from '../../infra/logger.js';
import type { RateLimiter, RateLimiterFactory } from '../../infra/rate-limit.js';
import { LimitsRepository } from './limits.repository.js';

/** The per-user budgets a route can spend from (`config: { userLimit: … }` on the route). */
export type UserLimitName = 'search' | 'syncs' | 'aiJobs' | 'previews' | 'comments';

/** Requests per user per minute, by budget. */
export type UserLimits = Record<UserLimitName, number>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The per-user budget this route spends one request of. */
    userLimit?: UserLimitName;
  }
}

/**
 * Per-user request budgets (a minute each; on Redis when configured, so they hold across API instances): what keeps
 * one account from flooding search, syncs, AI jobs, previews or comments. Every refusal is counted per user, IP and
 * route, so that admins can see who hits the limits.
 */
export class LimitsService {
  readonly repo: LimitsRepository;
  private readonly limiters: Record<UserLimitName, RateLimiter>;

  constructor(
    db: Database,
    factory: RateLimiterFactory,
    limits: UserLimits,
    private readonly logger: Logger,
  ) {
    this.repo = new LimitsRepository(db.orm);
    const make = (name: UserLimitName) => factory(`user-${name}`, limits[name], 60);
    this.limiters = {
      search: make('search'),
      syncs: make('syncs'),
      aiJobs: make('aiJobs'),
      previews: make('previews'),
      comments: make('comments'),
    };
  }

  /** Spends one request of the route's budget for the signed-in caller; 429 rate_limited once it is gone. */
  async spend(request: FastifyRequest): Promise<void> {
    const name = request.routeOptions.config.userLimit;
    if (name === undefined || !request.auth) return;
    try {
      await this.limiters[name].consume(request.auth.userId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'rate_limited') {
        await this.repo
          .countRefusal({
            at: new Date(),
            limitName: name,
            route: `${request.method} ${request.routeOptions.url ?? request.url}`,
            userId: request.auth.userId,
            ip: request.ip,
          })
          .catch((e: Error) => this.logger.warn({ err: { message: e.message } }, 'could not count a refusal'));
      }
      throw err;
    }
  }
}
