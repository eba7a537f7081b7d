import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AdminQueueList } from '@hivesync/sdk';
import { adminKeys } from '../../queries/admin.js';
import { useLiveEvent } from '../../session/live-events.js';

/**
 * The admin section's share of the tab's live connection: the notifications the server sends admins about workers
 * and queues (a worker's heartbeat gone stale, a queue past its warning depth, a failing health check) make the
 * matching views fetch at once instead of at their next interval.
 */
export function useAdminLiveUpdates(): void {
  const queryClient = useQueryClient();
  const refresh = (...keys: (readonly unknown[])[]) => {
    for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
  };
  useLiveEvent('worker_unavailable', () => refresh(adminKeys.workers(), adminKeys.autoscaling()));
  useLiveEvent('resource_limit_warning', () => refresh(adminKeys.queues(), adminKeys.jobs(), adminKeys.autoscaling()));
  useLiveEvent('system_health_issue', () => refresh(adminKeys.health()));
}

/** One reading of the queues: when, how many jobs waited in all, and the oldest waiting job's age (seconds). */
export interface QueueSample {
  at: number;
  waiting: number;
  oldest: number;
}

/** Readings kept for the sparklines: 10 minutes at the queues' refresh interval. */
const SAMPLES_MAX = 120;
let samples: readonly QueueSample[] = [];
const listeners = new Set<() => void>();

/**
 * Records each new answer of GET /admin/queues (`dataUpdatedAt` tells them apart) and returns the readings so far, for
 * the queue depth and oldest-age sparklines. The server keeps no history of its queues' depth (Prometheus does, on
 * /metrics): the sparklines cover the time this tab has had the dashboard open.
 */
export function useQueueSamples(data: AdminQueueList | undefined, dataUpdatedAt: number): readonly QueueSample[] {
  useEffect(() => {
    if (!data || samples.at(-1)?.at === dataUpdatedAt) return;
    const sample: QueueSample = {
      at: dataUpdatedAt,
      waiting: data.queues.reduce((sum, q) => sum + q.waiting, 0),
      oldest: Math.max(0, ...data.queues.map((q) => q.oldest_waiting_seconds ?? 0)),
    };
    samples = [...samples, sample].slice(-SAMPLES_MAX);
    for (const listener of listeners) listener();
  }, [data, dataUpdatedAt]);
  return useSyncExternalStore(
    (onChange) => {
      listeners.add(onChange);
      return () => void listeners.delete(onChange);
    },
    () => samples,
  );
}
