import { useQuery } from '@tanstack/react-query';
import type { Preview } from '@hivesync/sdk';
import { useClient } from '../session/session.js';

/** How many previews one page of the list shows. */
export const PREVIEWS_PAGE_SIZE = 20;

/** Query keys of a project's previews: pages of the list and single previews. */
export const previewKeys = {
  list: (projectId: string, cursor: string | undefined) => ['previews', projectId, 'list', cursor ?? 'first'] as const,
  detail: (previewId: string) => ['previews', 'detail', previewId] as const,
};

/** Statuses after which a preview changes no more (but for its deletion). */
const SETTLED: readonly Preview['status'][] = ['consumed', 'expired', 'deleted', 'failed'];
/** How often a preview that may still change (waiting for its upload, ready to be opened) is asked again. */
export const PREVIEW_POLL_MS = 5_000;

/** One page of a project's previews, newest first: the first, or the one after `cursor` (a page's `next_cursor`). */
export function usePreviewsQuery(projectId: string, cursor: string | undefined) {
  const client = useClient();
  return useQuery({
    queryKey: previewKeys.list(projectId, cursor),
    queryFn: ({ signal }) =>
      client.previews.list(projectId, { limit: PREVIEWS_PAGE_SIZE, ...(cursor && { cursor }) }, { signal }),
    // Statuses move (uploaded, opened, expired): the first page is asked again now and then while it is shown.
    refetchInterval: cursor ? false : PREVIEW_POLL_MS * 6,
  });
}

/** One preview, asked again every PREVIEW_POLL_MS while it may still change (so "opened" shows without a reload). */
export function usePreviewQuery(previewId: string) {
  const client = useClient();
  return useQuery({
    queryKey: previewKeys.detail(previewId),
    queryFn: ({ signal }) => client.previews.get(previewId, { signal }),
    refetchInterval: (query) =>
      query.state.data && SETTLED.includes(query.state.data.status) ? false : PREVIEW_POLL_MS,
  });
}
