import net from 'node:net';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { errors } from '@hivesync/core';

/** A fixed-window limiter over a key (an IP, an account). */
export interface RateLimiter {
  /** Spends `points` for `key`; throws rate_limited (with Retry-After) once the window's budget is gone. */
  consume(key: string, points?: number): Promise<void>;
  /** Spends a point for `key` without throwing; returns the points left in the window (0 or less: none). */
  spend(key: string): Promise<number>;
  /** Throws rate_limited if `key` has no budget left, without spending any. */
  check(key: string): Promise<void>;
  /** Forgets `key` (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

/**
 * Failures with growing delays: `free` failures pass, then each further one blocks the key for `baseSeconds`,
 * doubling every time (at most `maxSeconds`). Failures are remembered for `windowSeconds` from the first.
 */
export interface BackoffLimiter {
  /** Throws rate_limited (Retry-After = what is left of the block) while `key` is blocked. */
  check(key: string): Promise<void>;
  /** Counts a failure for `key`; returns the seconds it is now blocked for (0: not blocked). */
  fail(key: string): Promise<number>;
  /** Forgets `key`'s failures and block (a success). */
  reset(key: string): Promise<void>;
}

/** Options of a BackoffLimiter. */
export interface BackoffOptions {
  free: number;
  baseSeconds: number;
  maxSeconds: number;
  windowSeconds: number;
}

const retryAfter = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

const reject = (res: unknown): never => {
  if (res instanceof RateLimiterRes) throw errors.rateLimited(retryAfter(res.msBeforeNext));
  throw res;
};

/**
 * Creates limiters on Redis when it is configured (falling back to memory while Redis is down), else in memory.
 * Calling the factory builds a RateLimiter; `factory.backoff` builds a BackoffLimiter.
 */
export function createRateLimiterFactory(redis: Redis | undefined, prefix: string) {
  const make = (name: string, points: number, durationSeconds: number): RateLimiterAbstract => {
    const keyPrefix = `${prefix}rl:${name}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix,
          points,
          duration: durationSeconds,
          insuranceLimiter: memory,
        })
      : memory;
  };
  const factory = (name: string, points: number, durationSeconds: number): RateLimiter => {
    const limiter = make(name, points, durationSeconds);
    return {
      async consume(key, n = 1) {
        await limiter.consume(key, n).catch(reject);
      },
      async spend(key) {
        const res = await limiter.consume(key).catch((err: unknown) => {
          if (err instanceof RateLimiterRes) return err;
          throw err;
        });
        return points - res.consumedPoints;
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
  const backoff = (name: string, options: BackoffOptions): BackoffLimiter => {
    // A failure budget that never runs out (it only counts), and a one-point limiter that `block` fills.
    const failures = make(`${name}:failures`, Number.MAX_SAFE_INTEGER, options.windowSeconds);
    const blocks = make(`${name}:block`, 1, options.windowSeconds);
    return {
      async check(key) {
        const res = await blocks.get(key);
        if (res && res.consumedPoints > 1 && res.msBeforeNext > 0) reject(res);
      },
      async fail(key) {
        const { consumedPoints } = await failures.consume(key);
        if (consumedPoints < options.free) return 0;
        const seconds = Math.min(
          options.maxSeconds,
          options.baseSeconds * 2 ** Math.min(30, consumedPoints - options.free),
        );
        await blocks.block(key, seconds);
        return seconds;
      },
      async reset(key) {
        await Promise.all([failures.delete(key), blocks.delete(key)]).catch(() => undefined);
      },
    };
  };
  return Object.assign(factory, { backoff });
}

/** Builds a named limiter; see createRateLimiterFactory. */
export type RateLimiterFactory = ReturnType<typeof createRateLimiterFactory>;

/**
 * The key a client address is limited under: an IPv4 address as it is, an IPv6 address by its /64 (one
 * subscriber's whole allocation, which they can cycle through at will).
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (net.isIPv6(ip)) return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
  return ip;
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 forms) counts as two groups; only the first four groups matter here.
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}
