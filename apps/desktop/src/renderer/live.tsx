import { createContext, useContext, useEffect, useRef, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Notification } from '@hivesync/sdk';
import { describeNotification, isStep } from '@hivesync/ui';
import { client } from './agent.js';
import { desktopBridge } from './bridge.js';
import { keys } from './queries.js';

/** Called with the data of each event of a type. */
export type LiveHandler = (data: unknown) => void;

/**
 * The window's one event stream, through the agent (which shares one upstream stream with every editor): each new
 * notification refreshes the lists and the unread count and shows a native notification; other events (sync
 * progress, the agent's preview progress) go to whoever subscribed.
 */
class LiveEvents {
  private readonly handlers = new Map<string, Set<LiveHandler>>();

  subscribe(type: string, handler: LiveHandler): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => void set.delete(handler);
  }

  emit(type: string, data: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) handler(data);
  }
}

const LiveContext = createContext<LiveEvents | null>(null);

/** Opens the event stream while `enabled` (signed in), and closes it when not. */
export function LiveEventsProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const live = useRef(new LiveEvents()).current;
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    void client.events
      .stream({
        signal: controller.signal,
        onOpen: () => void queryClient.invalidateQueries({ queryKey: keys.notifications }),
        onNotification: (notification: Notification) => {
          void queryClient.invalidateQueries({ queryKey: keys.notifications });
          if (notification.type.startsWith('ai_job_')) void queryClient.invalidateQueries({ queryKey: ['ai'] });
          if (notification.type.startsWith('preview_')) void queryClient.invalidateQueries({ queryKey: ['previews'] });
          live.emit('notification', notification);
          if (!isStep(notification.type)) {
            const view = describeNotification(notification);
            void desktopBridge()?.notify({ title: 'HiveSync', body: view.text, href: view.href });
          }
        },
        onEvent: (event) => live.emit(event.type, event.data),
      })
      // A stream the agent or the server ends for good: the lists still load on demand.
      .catch(() => undefined);
    return () => controller.abort();
  }, [enabled, live, queryClient]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** Calls `handler` with every event of `type` while mounted. */
export function useLiveEvent(type: string, handler: LiveHandler): void {
  const live = useContext(LiveContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live?.subscribe(type, (data) => latest.current(data)), [live, type]);
}
