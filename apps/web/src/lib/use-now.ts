import { useEffect, useState } from 'react';

/** The time now, in milliseconds, updated every `everyMs`: for "in 12 min" and "expired" to move on their own. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
