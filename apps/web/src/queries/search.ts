import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useClient } from '../session/session.js';

/** Most matches one search asks for; the answer says `truncated` when there were more. */
export const SEARCH_LIMIT = 500;

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

/** Searches the mirror's current commit; nothing is asked while `q` is empty. */
export function useSearchQuery(projectId: string, input: SearchInput) {
  const client = useClient();
  return useQuery({
    queryKey: searchKeys.search(projectId, input),
    queryFn: ({ signal }) =>
      client.repo.search(
        projectId,
        input.q,
        {
          regex: input.regex,
          ignore_case: !input.matchCase,
          limit: SEARCH_LIMIT,
          ...(input.path && { path: input.path }),
        },
        { signal },
      ),
    enabled: input.q !== '',
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}
