/**
 * What the search box accepts: plain text, `/regex/` (with `i` after it to ignore case), and `path:prefix` words
 * that narrow the search to a folder or file; the rest is the query.
 */
export interface SearchInput {
  q: string;
  regex: boolean;
  ignore_case: boolean;
  path?: string;
}

/** Reads the search box. Empty when there is nothing to search for. */
export function parseSearchInput(input: string): SearchInput | undefined {
  let rest = input.trim();
  let path: string | undefined;
  rest = rest
    .replace(/(?:^|\s)path:(\S+)/g, (_m, p: string) => {
      path = p;
      return ' ';
    })
    .trim();
  let regex = false;
  let ignoreCase = false;
  const re = /^\/(.+)\/(i?)$/.exec(rest);
  if (re) {
    regex = true;
    ignoreCase = re[2] === 'i';
    rest = re[1]!;
  }
  if (rest === '') return undefined;
  return { q: rest, regex, ignore_case: ignoreCase, ...(path !== undefined && { path }) };
}
