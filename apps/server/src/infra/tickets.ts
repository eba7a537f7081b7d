import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Short-lived, single-use tickets that stand in for a bearer token where a client cannot send headers (the
 * browser's EventSource). A ticket is redeemed once; it carries only a user id.
 */
export interface TicketStore {
  issue(userId: string, ttlSeconds: number): Promise<string>;
  /** The user a ticket was issued to, once; undefined for an unknown, used or expired ticket. */
  redeem(ticket: string): Promise<string | undefined>;
}

/** In Redis when configured (any API instance can redeem), else in memory. */
export function createTicketStore(redis: Redis | undefined, prefix: string): TicketStore {
  const memory = new Map<string, { userId: string; until: number }>();
  const key = (t: string) => `${prefix}ticket:${crypto.createHash('sha256').update(t).digest('hex')}`;
  return {
    async issue(userId, ttlSeconds) {
      const ticket = `hst_${crypto.randomBytes(24).toString('base64url')}`;
      if (redis) {
        try {
          await redis.set(key(ticket), userId, 'EX', ttlSeconds);
          return ticket;
        } catch {
          // Redis down: this instance can still redeem it.
        }
      }
      if (memory.size > 10_000) for (const [k, v] of memory) if (v.until < Date.now()) memory.delete(k);
      memory.set(key(ticket), { userId, until: Date.now() + ttlSeconds * 1000 });
      return ticket;
    },
    async redeem(ticket) {
      if (!/^hst_[A-Za-z0-9_-]{32}$/.test(ticket)) return undefined;
      const k = key(ticket);
      const local = memory.get(k);
      if (local) {
        memory.delete(k);
        return local.until > Date.now() ? local.userId : undefined;
      }
      if (!redis) return undefined;
      try {
        return (await redis.getdel(k)) ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}
