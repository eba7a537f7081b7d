import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { errors } from '@hivesync/core';

/** A fixed-window limiter over a key (an IP, an account). */
export interface RateLimiter {
  /** Spends `points` for `key`; throws rate_limited (with Retry-After) once the window's budget is gone. */
  consume(key: string, points?: number): Promise<void>;
  /** Throws rate_limited if `key` has no budget left, without spending any. */
  check(key: string): Promise<void>;
  /** Forgets `key` (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

/** Creates limiters on Redis when it is configured (falling back to memory while Redis is down), else in memory. */
export function createRateLimiterFactory(redis: Redis | undefined, prefix: string) {
  return (name: string, points: number, durationSeconds: number): RateLimiter => {
    const keyPrefix = `${prefix}rl:${name}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
    const limiter: RateLimiterAbstract = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix,
          points,
          duration: durationSeconds,
          insuranceLimiter: memory,
        })
      : memory;
    const reject = (res: unknown): never => {
      if (res instanceof RateLimiterRes) {
        throw errors.rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
      }
      throw res;
    };
    return {
      async consume(key, n = 1) {
        await limiter.consume(key, n).catch(reject);
      },
      async check(key) {
        const res = await limiter.get(key);
        if (res && res.remainingPoints <= 0) reject(res);
      },
      async reset(key) {
        await limiter.delete(key).catch(() => undefined);
      },
    };
  };
}

/** Builds a named limiter; see createRateLimiterFactory. */
export type RateLimiterFactory = ReturnType<typeof createRateLimiterFactory>;
