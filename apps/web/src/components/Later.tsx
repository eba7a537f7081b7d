import { Suspense, type ReactNode } from 'react';

/** A lazily loaded view with a "Loading…" line while its code arrives. */
export const later = (view: ReactNode) => <Suspense fallback={<p aria-live="polite">Loading…</p>}>{view}</Suspense>;
