import { z } from 'zod';
import { Timestamp } from './common.js';

export const Health = z.object({ status: z.literal('ok'), version: z.string() }).meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

export const CheckStatus = z.enum(['ok', 'degraded', 'fail', 'disabled']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Check = z.object({
  status: CheckStatus,
  latency_ms: z.number(),
  message: z.string().optional(),
});
export type Check = z.infer<typeof Check>;

export const DeepHealth = z
  .object({
    status: z.enum(['ok', 'degraded', 'fail']),
    checks: z.object({ database: Check, redis: Check, storage: Check, git: Check, disk: Check }),
  })
  .meta({ id: 'DeepHealth' });
export type DeepHealth = z.infer<typeof DeepHealth>;

export const WorkerStatus = z.object({
  id: z.string(),
  kind: z.string(),
  last_heartbeat_at: Timestamp,
  status: z.enum(['healthy', 'stale']),
});
export type WorkerStatus = z.infer<typeof WorkerStatus>;

export const QueueDepth = z.object({
  name: z.string(),
  queued: z.number().int(),
  active: z.number().int(),
  failed: z.number().int(),
});
export type QueueDepth = z.infer<typeof QueueDepth>;

export const WorkersHealth = z
  .object({ workers: z.array(WorkerStatus), queues: z.array(QueueDepth) })
  .meta({ id: 'WorkersHealth' });
export type WorkersHealth = z.infer<typeof WorkersHealth>;
