import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { Outage } from './outage.js';

/** A message on the bus: which kind, and its JSON-safe body. */
export interface BusMessage {
  kind: string;
  body: Record<string, unknown>;
}

/**
 * Fan-out between the processes of one HiveSync installation: in-process when it is one process, Redis pub/sub
 * when REDIS_URL is set. Delivery is best effort; durable state always lives in the database.
 */
export interface EventBus {
  readonly description: string;
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

/** The bus for a single process. */
export function createMemoryBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    description: 'in-process',
    publish: async (message) => {
      emitter.emit('message', message);
    },
    subscribe: (handler) => {
      emitter.on('message', handler);
      return () => emitter.off('message', handler);
    },
    close: async () => {
      emitter.removeAllListeners();
    },
  };
}

/**
 * The bus across processes, over Redis pub/sub; `subscriber` must be a dedicated connection. While Redis is away,
 * messages still reach this process's own subscribers (other processes catch up by polling: workers poll the queue,
 * clients poll notifications), with one warning per outage.
 */
export function createRedisBus(publisher: Redis, subscriber: Redis, channel: string, logger: Logger): EventBus {
  const local = createMemoryBus();
  const outage = new Outage(logger, {
    down: 'event bus unavailable; messages reach this process only until Redis returns',
    up: 'event bus reconnected',
  });
  subscriber.on('message', (ch: string, raw: string) => {
    if (ch !== channel) return;
    try {
      void local.publish(JSON.parse(raw) as BusMessage);
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'dropped a malformed bus message');
    }
  });
  // ioredis re-subscribes by itself after a reconnect, but only to channels it once subscribed: when Redis is down
  // at start, the first subscription happens on the first 'ready' instead (ioredis keeps reconnecting with backoff).
  let subscribed = false;
  const subscribe = () => {
    if (subscribed) return;
    subscriber.subscribe(channel).then(
      () => void (subscribed = true),
      (err: Error) => logger.warn({ err: { message: err.message } }, 'bus subscribe failed; retrying on reconnect'),
    );
  };
  subscriber.on('ready', subscribe);
  void subscriber.connect().catch(() => undefined);
  return {
    description: 'redis pub/sub',
    async publish(message) {
      try {
        await publisher.publish(channel, JSON.stringify(message));
        outage.recovered();
      } catch (err) {
        outage.failed(err);
        // Redis is down: still reach this process's own subscribers.
        await local.publish(message);
      }
    },
    subscribe: (handler) => local.subscribe(handler),
    async close() {
      await local.close();
      subscriber.disconnect();
    },
  };
}
