import type { HiveSyncClient, User } from '@hivesync/sdk';
import { render } from '@testing-library/react-native';
import type { ReactElement } from 'react';
import { ConnectivityProvider } from './state/connectivity';
import { SessionProvider } from './state/session';

/** A user as the server answers /me. */
export const USER = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'ada@example.test',
  display_name: 'Ada',
} as unknown as User;

/** Renders `ui` signed in with `client` (a stand-in with only the methods the screen calls). */
export function renderSignedIn(ui: ReactElement, client: Partial<Record<keyof HiveSyncClient, unknown>>) {
  return render(
    <SessionProvider initial={{ serverUrl: 'http://hivesync.test', user: USER, client: client as HiveSyncClient }}>
      <ConnectivityProvider>{ui}</ConnectivityProvider>
    </SessionProvider>,
  );
}
