import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { HiveSyncClient } from '@hivesync/sdk';
import { HiveSyncClientProvider } from '@hivesync/ui';
import type { SessionState, SessionStore } from './session-store.js';

const SessionContext = createContext<SessionStore | null>(null);

/** Makes the session store available to the views, and its client to the shared components (packages/ui). */
export function SessionProvider({ store, children }: { store: SessionStore; children: ReactNode }) {
  return (
    <SessionContext.Provider value={store}>
      <HiveSyncClientProvider client={store.client}>{children}</HiveSyncClientProvider>
    </SessionContext.Provider>
  );
}

/** The session store. */
export function useSessionStore(): SessionStore {
  const store = useContext(SessionContext);
  if (!store) throw new Error('useSessionStore outside SessionProvider');
  return store;
}

/** The session state, re-rendering on change. */
export function useSession(): SessionState {
  const store = useSessionStore();
  return useSyncExternalStore(
    (onChange) => store.subscribe(onChange),
    () => store.current,
  );
}

/** The API client (the SDK): every server call of the app goes through it. */
export function useClient(): HiveSyncClient {
  return useSessionStore().client;
}
