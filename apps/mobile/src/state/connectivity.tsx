import { isHiveSyncError } from '@hivesync/sdk';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { pollDelaySeconds } from '../lib/polling';
import { useSession } from './session';

interface ConnectivityValue {
  /** The last request never got an answer: lists come from the cache and a banner says so. */
  offline: boolean;
  /** Seconds until the next poll, as pollDelaySeconds decides it now. */
  pollSeconds: number;
  /** Incremented at every poll: screens that poll refetch when it changes. */
  tick: number;
  /** A request's outcome: a network error marks the app offline, any answer online. */
  report(error: unknown | null): void;
  /** Counts a preview launch in or out; while any runs, polling is aggressive. */
  setLaunching(on: boolean): void;
  /** Poll now (pull to refresh, back online). */
  pollNow(): void;
}

const ConnectivityContext = createContext<ConnectivityValue | null>(null);

/** Whether an error means the server could not be reached (rather than an answer). */
export function isNetworkError(error: unknown): boolean {
  return isHiveSyncError(error) && error.code === 'network_error';
}

/** Drives polling for every screen: 45 s (the setting), every few seconds while a preview launches, 120 s offline. */
export function ConnectivityProvider({ children }: { children: ReactNode }) {
  const { settings } = useSession();
  const [offline, setOffline] = useState(false);
  const [launches, setLaunches] = useState(0);
  const [tick, setTick] = useState(0);
  const pollSeconds = pollDelaySeconds({ base: settings.pollSeconds, launching: launches > 0, offline });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    timer.current = setTimeout(() => setTick((t) => t + 1), pollSeconds * 1000);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [pollSeconds, tick]);

  const report = useCallback((error: unknown | null) => {
    if (error === null) setOffline(false);
    else if (isNetworkError(error)) setOffline(true);
  }, []);
  const setLaunching = useCallback((on: boolean) => setLaunches((n) => Math.max(0, n + (on ? 1 : -1))), []);
  const pollNow = useCallback(() => setTick((t) => t + 1), []);

  const value = useMemo(
    () => ({ offline, pollSeconds, tick, report, setLaunching, pollNow }),
    [offline, pollSeconds, tick, report, setLaunching, pollNow],
  );
  return <ConnectivityContext.Provider value={value}>{children}</ConnectivityContext.Provider>;
}

/** The connectivity context (inside ConnectivityProvider). */
export function useConnectivity(): ConnectivityValue {
  const value = useContext(ConnectivityContext);
  if (!value) throw new Error('useConnectivity outside ConnectivityProvider');
  return value;
}
