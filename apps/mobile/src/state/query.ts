import { useCallback, useEffect, useRef, useState } from 'react';
import { useConnectivity } from './connectivity';

// The last answer of each query, kept for the app's lifetime: offline, a screen shows it with the banner.
const cache = new Map<string, unknown>();

/** Forgets every cached answer (sign-out). */
export function clearQueryCache(): void {
  cache.clear();
}

/** A query's state. */
export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** The data is the cached answer of an earlier request (offline). */
  stale: boolean;
  refetch(): Promise<void>;
  /** Changes the shown (and cached) data in place, such as a notification marked read before the next poll. */
  update(change: (data: T) => T): void;
}

/**
 * Server data for a screen: fetched on mount, again at every poll when `poll` is set, and kept in a cache by `key`
 * so that a screen opened offline shows the last answer. Each outcome is reported to the connectivity state.
 */
export function useQuery<T>(key: string, fetcher: () => Promise<T>, options: { poll?: boolean } = {}): QueryState<T> {
  const { tick, report } = useConnectivity();
  const [data, setData] = useState<T | undefined>(() => cache.get(key) as T | undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(!cache.has(key));
  const [stale, setStale] = useState(false);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const keyRef = useRef(key);
  keyRef.current = key;

  // Only the latest request's answer is shown: a slow poll that started before a reply must not bring back the
  // thread without it.
  const latest = useRef(0);

  const refetch = useCallback(async () => {
    const asked = keyRef.current;
    const request = ++latest.current;
    try {
      const value = await fetcherRef.current();
      if (keyRef.current !== asked || request !== latest.current) return;
      cache.set(asked, value);
      setData(value);
      setError(null);
      setStale(false);
      report(null);
    } catch (err) {
      if (keyRef.current !== asked || request !== latest.current) return;
      setError(err);
      setStale(cache.has(asked));
      report(err);
    } finally {
      if (keyRef.current === asked) setLoading(false);
    }
  }, [report]);

  useEffect(() => {
    setData(cache.get(key) as T | undefined);
    setLoading(!cache.has(key));
    void refetch();
  }, [key, refetch]);

  const pollTick = options.poll ? tick : 0;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (options.poll) void refetch();
  }, [pollTick, options.poll, refetch]);

  const update = useCallback((change: (data: T) => T) => {
    setData((prev) => {
      if (prev === undefined) return prev;
      const next = change(prev);
      cache.set(keyRef.current, next);
      return next;
    });
  }, []);

  return { data, error, loading, stale, refetch, update };
}
