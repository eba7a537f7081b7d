import type { Logger } from './logger.js';

/**
 * Tracks one backend dependency that may go away and come back (heartbeats, the event bus): one warning when it
 * starts failing, one line when it works again, nothing on every failed attempt in between, and the delay before
 * the next attempt (doubling up to `maxDelayMs`).
 */
export class Outage {
  private downSince: number | undefined;
  private attempts = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: { down: string; up: string; fields?: Record<string, unknown> },
    private readonly delays: { firstMs: number; maxDelayMs: number } = { firstMs: 250, maxDelayMs: 10_000 },
  ) {}

  /** Whether the last attempt failed. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** Records a failed attempt (warns on the first of an outage); returns how long to wait before the next. */
  failed(err: unknown): number {
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.logger.warn({ ...this.what.fields, err: { message: errorMessage(err) } }, this.what.down);
    }
    const delay = Math.min(this.delays.firstMs * 2 ** this.attempts, this.delays.maxDelayMs);
    this.attempts++;
    return delay;
  }

  /** Records a successful attempt; true when it ends an outage (logged with its length). */
  recovered(): boolean {
    if (this.downSince === undefined) return false;
    this.logger.info({ ...this.what.fields, down_ms: Date.now() - this.downSince }, this.what.up);
    this.downSince = undefined;
    this.attempts = 0;
    return true;
  }
}

/** Rejects with "`what` took longer than `ms` ms" unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
