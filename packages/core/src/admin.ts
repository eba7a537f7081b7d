import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** A canary job: an admin sends one through the queue to prove the workers are picking up work. */
export const CanaryBody = z
  .object({ delay_ms: z.number().int().min(0).max(600_000).optional() })
  .meta({ id: 'CanaryBody' });
export type CanaryBody = z.infer<typeof CanaryBody>;

export const Canary = z
  .object({
    canary_id: Id,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    delay_ms: z.number().int(),
    attempts: z.number().int(),
    worker_id: z.string().nullable(),
    created_at: Timestamp,
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
  })
  .meta({ id: 'Canary' });
export type Canary = z.infer<typeof Canary>;

export const BroadcastBody = z
  .object({ message: z.string().trim().min(1).max(2000), starts_at: Timestamp.optional() })
  .meta({ id: 'BroadcastBody' });
export type BroadcastBody = z.infer<typeof BroadcastBody>;

export const BroadcastResult = z.object({ notified: z.number().int() }).meta({ id: 'BroadcastResult' });
export type BroadcastResult = z.infer<typeof BroadcastResult>;
