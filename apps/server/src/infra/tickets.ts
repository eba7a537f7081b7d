import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

/** Whom a ticket was issued to: a user, and the session (login) whose token asked for it. */
export interface TicketOwner {
  userId: string;
  sessionId?: string;
}

/**
 * Short-lived, single-use tickets that stand in for a bearer token where a client cannot send headers (the
 * browser's EventSource). A ticket is redeemed once; it carries only its owner's user and session ids.
 */
export interface TicketStore {
  issue(owner: TicketOwner, ttlSeconds: number): Promise<string>;
  /** Whom a ticket was issued to, once; undefined for an unknown, used or expired ticket. */
  redeem(ticket: string): Promise<TicketOwner | undefined>;
}

// Stored as `<user id> <session id>` (ids have no spaces).
const encode = (o: TicketOwner) => (o.sessionId ? `${o.userId} ${o.sessionId}` : o.userId);
function decode(value: string): TicketOwner {
  const [userId = '', sessionId] = value.split(' ');
  return sessionId ? { userId, sessionId } : { userId };
}

/** In Redis when configured (any API instance can redeem), else in memory. */
export function createTicketStore(redis: Redis | undefined, prefix: string): TicketStore {
  const memory = new Map<string, { value: string; until: number }>();
  const key = (t: string) => `${prefix}ticket:${crypto.createHash('sha256').update(t).digest('hex')}`;
  return {
    async issue(owner, ttlSeconds) {
      const ticket = `hst_${crypto.randomBytes(24).toString('base64url')}`;
      if (redis) {
        try {
          await redis.set(key(ticket), encode(owner), 'EX', ttlSeconds);
          return ticket;
        } catch {
          // Redis down: this instance can still redeem it.
        }
      }
      if (memory.size > 10_000) for (const [k, v] of memory) if (v.until < Date.now()) memory.delete(k);
      memory.set(key(ticket), { value: encode(owner), until: Date.now() + ttlSeconds * 1000 });
      return ticket;
    },
    async redeem(ticket) {
      if (!/^hst_[A-Za-z0-9_-]{32}$/.test(ticket)) return undefined;
      const k = key(ticket);
      const local = memory.get(k);
      if (local) {
        memory.delete(k);
        return local.until > Date.now() ? decode(local.value) : undefined;
      }
      if (!redis) return undefined;
      try {
        const value = await redis.getdel(k);
        return value === null ? undefined : decode(value);
      } catch {
        return undefined;
      }
    },
  };
}
