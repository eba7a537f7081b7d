import type { Redis } from 'ioredis';

/** Remembers keys for a while: `first(key)` is true the first time a key is seen within its lifetime. */
export interface OnceStore {
  first(key: string, ttlSeconds: number): Promise<boolean>;
}

/** In Redis when configured (shared by every API instance; in memory while Redis is down), else in memory. */
export function createOnceStore(redis: Redis | undefined, prefix: string): OnceStore {
  const seen = new Map<string, number>();
  const memory = (key: string, ttlSeconds: number) => {
    const now = Date.now();
    if (seen.size > 10_000) for (const [k, until] of seen) if (until < now) seen.delete(k);
    const until = seen.get(key);
    if (until !== undefined && until > now) return false;
    seen.set(key, now + ttlSeconds * 1000);
    return true;
  };
  return {
    async first(key, ttlSeconds) {
      if (!redis) return memory(key, ttlSeconds);
      try {
        return (await redis.set(`${prefix}once:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
      } catch {
        return memory(key, ttlSeconds);
      }
    },
  };
}
