import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Opens a Redis client that fails commands fast while Redis is unreachable instead of queueing them, and gives up
 * on a command that gets no answer (a hung or half-dead Redis) after a few seconds, so no caller waits on Redis.
 */
export function openRedis(url: string, logger: Logger, name = 'main'): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    commandTimeout: 3000,
    // Reconnect forever with a capped delay: Redis coming back must heal the process without a restart.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ redis: name, err: { message: err.message } }, 'redis unavailable');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis reconnected');
    down = false;
  });
  return client;
}

/** "host:port" of a Redis URL, never its password. */
export function redisHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(unparseable URL)';
  }
}
