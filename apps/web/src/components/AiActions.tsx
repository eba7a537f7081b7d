import type { LineRange } from '../lib/permalink.js';

/** The file view's AI requests (docs, rename, refactor) for the file and the selected lines (built by the AI work). */
export function AiActions(_props: { projectId: string; commit: string; path: string; selection: LineRange | null }) {
  return null;
}
