import { HiveSyncClient, type User } from '@hivesync/sdk';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Platform } from 'react-native';
import { clampPollSeconds, DEFAULT_POLL_SECONDS } from '../lib/polling';
import { kv } from './kv';
import { unregisterDevice } from './push';

const SESSION_KEY = 'hivesync.session';
const SETTINGS_KEY = 'hivesync.settings';

/** What is kept between launches: the server and the tokens (in the secure store). */
interface StoredSession {
  serverUrl: string;
  accessToken: string | null;
  refreshToken: string | null;
  user: User;
}

/** The user's settings. */
export interface Settings {
  /** Seconds between polls, MIN_POLL_SECONDS..MAX_POLL_SECONDS. */
  pollSeconds: number;
  /** The platform the web export resolves previews as (a phone has its own: ios or android). */
  webPreviewPlatform: 'ios' | 'android';
}

const DEFAULT_SETTINGS: Settings = { pollSeconds: DEFAULT_POLL_SECONDS, webPreviewPlatform: 'ios' };

/** The signed-in user and the client that speaks for them. */
export interface Session {
  serverUrl: string;
  user: User;
  client: HiveSyncClient;
}

interface SessionContextValue {
  session: Session | null;
  restoring: boolean;
  settings: Settings;
  updateSettings(patch: Partial<Settings>): void;
  signIn(serverUrl: string, email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** The server URL without trailing slashes or an /api/v1 the user pasted. */
export function normalizeServerUrl(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '');
}

/** The server URL the sign-in form starts with: on the web export the page's own origin (see docs/mobile.md). */
export function defaultServerUrl(): string {
  if (Platform.OS === 'web' && typeof window !== 'undefined' && window.location?.origin?.startsWith('http')) {
    return window.location.origin;
  }
  return '';
}

/** The SDK client of a session, its tokens written back to the store whenever they change (refresh, logout). */
export function makeClient(
  serverUrl: string,
  tokens: { accessToken: string | null; refreshToken: string | null },
  onTokens?: (t: { accessToken: string | null; refreshToken: string | null }) => void,
): HiveSyncClient {
  return new HiveSyncClient({
    baseUrl: serverUrl,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    client: 'mobile',
    userAgent: 'hivesync-mobile/0.1.0',
    ...(onTokens && { onTokens }),
  });
}

/** Holds the session: restores it from the store at launch, signs in and out. */
export function SessionProvider({
  children,
  initial,
}: {
  children: ReactNode;
  /** A session to start with (tests). */
  initial?: Session;
}) {
  const [session, setSession] = useState<Session | null>(initial ?? null);
  const [restoring, setRestoring] = useState(!initial);
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);

  const persist = useCallback(async (stored: StoredSession | null) => {
    if (stored) await kv.set(SESSION_KEY, JSON.stringify(stored));
    else await kv.remove(SESSION_KEY);
  }, []);

  const open = useCallback(
    (stored: StoredSession): Session => {
      let current = stored;
      const client = makeClient(stored.serverUrl, stored, (tokens) => {
        current = { ...current, ...tokens };
        if (!tokens.accessToken && !tokens.refreshToken) {
          // The server refused the refresh token: the session is over.
          void persist(null);
          setSession(null);
        } else void persist(current);
      });
      return { serverUrl: stored.serverUrl, user: stored.user, client };
    },
    [persist],
  );

  useEffect(() => {
    if (initial) return;
    let live = true;
    void (async () => {
      try {
        const raw = await kv.get(SESSION_KEY);
        const rawSettings = await kv.get(SETTINGS_KEY);
        if (rawSettings) {
          const parsed = JSON.parse(rawSettings) as Partial<Settings>;
          if (live)
            setSettings({ ...DEFAULT_SETTINGS, ...parsed, pollSeconds: clampPollSeconds(parsed.pollSeconds ?? 45) });
        }
        if (raw && live) setSession(open(JSON.parse(raw) as StoredSession));
      } catch {
        // A damaged entry: start signed out.
      } finally {
        if (live) setRestoring(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [initial, open]);

  const signIn = useCallback(
    async (serverUrl: string, email: string, password: string) => {
      const url = normalizeServerUrl(serverUrl);
      const client = makeClient(url, { accessToken: null, refreshToken: null });
      const auth = await client.auth.login({ email, password, remember: true });
      const stored: StoredSession = {
        serverUrl: url,
        accessToken: client.tokens.accessToken ?? auth.access_token,
        refreshToken: client.tokens.refreshToken ?? auth.refresh_token ?? null,
        user: auth.user,
      };
      await persist(stored);
      setSession(open(stored));
    },
    [open, persist],
  );

  const signOut = useCallback(async () => {
    const current = session;
    setSession(null);
    await persist(null);
    try {
      if (current) await unregisterDevice(current.client);
      await current?.client.auth.logout();
    } catch {
      // Offline or already revoked: the tokens are gone from this device either way.
    }
  }, [persist, session]);

  const updateSettings = useCallback((patch: Partial<Settings>) => {
    setSettings((prev) => {
      const next = { ...prev, ...patch, pollSeconds: clampPollSeconds(patch.pollSeconds ?? prev.pollSeconds) };
      void kv.set(SETTINGS_KEY, JSON.stringify(next));
      return next;
    });
  }, []);

  const value = useMemo(
    () => ({ session, restoring, settings, updateSettings, signIn, signOut }),
    [session, restoring, settings, updateSettings, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session context (inside SessionProvider). */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in session (screens behind sign-in only). */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn without a session');
  return session;
}
