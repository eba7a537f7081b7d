import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useClient } from '../session/session.js';

/**
 * Matches per page: the first page paints at once, and "More results" asks for the next one by the server's cursor
 * (a page of 500 took five times as long to paint as one of 100).
 */
export const SEARCH_PAGE = 100;

/** What the search page asks: the words of its URL (`?q=&regex=1&case=1&path=`). */
export interface SearchInput {
  q: string;
  regex: boolean;
  /** Match case; searches ignore case by default. */
  matchCase: boolean;
  path: string;
}

/** Query keys of code search. */
export const searchKeys = {
  search: (projectId: string, input: SearchInput) => ['search', projectId, input] as const,
};

/** Searches the mirror's current commit, a page at a time; nothing is asked while `q` is empty. */
export function useSearchQuery(projectId: string, input: SearchInput) {
  const client = useClient();
  return useInfiniteQuery({
    queryKey: searchKeys.search(projectId, input),
    queryFn: ({ signal, pageParam }) =>
      client.repo.search(
        projectId,
        input.q,
        {
          regex: input.regex,
          ignore_case: !input.matchCase,
          limit: SEARCH_PAGE,
          ...(input.path && { path: input.path }),
          ...(pageParam !== undefined && { cursor: pageParam }),
        },
        { signal },
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    enabled: input.q !== '',
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}
