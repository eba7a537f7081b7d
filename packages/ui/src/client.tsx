import { createContext, useContext, type ReactNode } from 'react';
import type { HiveSyncClient } from '@hivesync/sdk';

const ClientContext = createContext<HiveSyncClient | null>(null);

/**
 * Gives the shared components the app's API client (the SDK): the web app's session client, or the desktop
 * renderer's client pointed at the local agent.
 */
export function HiveSyncClientProvider({ client, children }: { client: HiveSyncClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The API client given by HiveSyncClientProvider. */
export function useHiveSyncClient(): HiveSyncClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useHiveSyncClient outside HiveSyncClientProvider');
  return client;
}
