import { Fragment, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { SearchMatch } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { useSlashFocus } from '../components/SearchBox.js';
import { useTitle } from '../components/Title.js';
import { matchSegments, type MatchOptions } from '../lib/highlight.js';
import { blobPath, searchPath } from '../lib/permalink.js';
import { useSearchQuery, type SearchInput } from '../queries/search.js';

/** Reads the search from the page's address: `?q=&regex=1&case=1&path=`. */
function readInput(params: URLSearchParams): SearchInput {
  return {
    q: params.get('q') ?? '',
    regex: params.get('regex') === '1',
    matchCase: params.get('case') === '1',
    path: params.get('path') ?? '',
  };
}

/** Matches grouped by file, in the order the server found them. */
function groupByFile(matches: readonly SearchMatch[]): [string, SearchMatch[]][] {
  const groups = new Map<string, SearchMatch[]>();
  for (const m of matches) {
    const group = groups.get(m.path);
    if (group) group.push(m);
    else groups.set(m.path, [m]);
  }
  return [...groups];
}

/**
 * /projects/:id/search?q=&regex=1&case=1&path=: code search over the mirror's current commit. Keyboard first: `/`
 * focuses the box, ↓ goes from the box to the results, ↑ and ↓ move between them, Enter opens one at its line.
 */
export function SearchPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const input = useMemo(() => readInput(params), [params]);
  const navigate = useNavigate();
  const result = useSearchQuery(projectId, input);
  useTitle(input.q ? `Search: ${input.q}` : 'Search');

  // The form is edited freely and becomes the address (and so the search) when sent.
  const [draft, setDraft] = useState(input);
  const [shown, setShown] = useState(input);
  if (shown !== input) {
    setShown(input);
    setDraft(input);
  }
  const box = useRef<HTMLInputElement>(null);
  const results = useRef<HTMLDivElement>(null);
  useSlashFocus(box);

  const resultLinks = () => [...(results.current?.querySelectorAll<HTMLAnchorElement>('a[data-result]') ?? [])];
  const onResultsKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = resultLinks();
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (at === -1) return;
    e.preventDefault();
    const next = e.key === 'ArrowDown' ? Math.min(at + 1, links.length - 1) : at - 1;
    if (next < 0) box.current?.focus();
    else links[next]?.focus();
  };
  const onBoxKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'ArrowDown') return;
    const first = resultLinks()[0];
    if (first) {
      e.preventDefault();
      first.focus();
    }
  };

  const pages = result.data?.pages ?? [];
  const matches = useMemo(() => pages.flatMap((p) => p.matches), [pages]);
  const commit = pages[0]?.commit ?? '';
  const groups = useMemo(() => groupByFile(matches), [matches]);
  const more = result.hasNextPage;
  const options: MatchOptions = { regex: input.regex, matchCase: input.matchCase };

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>Search</h1>
      <form
        role="search"
        aria-label="Code search"
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.q !== '') void navigate(searchPath(projectId, draft));
        }}
      >
        <label className="search-q">
          Search code
          <input
            ref={box}
            type="search"
            name="q"
            value={draft.q}
            aria-keyshortcuts="/"
            placeholder="A word, or a regular expression"
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            onKeyDown={onBoxKey}
            required
          />
        </label>
        <label>
          Only under path
          <input
            type="text"
            name="path"
            value={draft.path}
            placeholder="lib/"
            onChange={(e) => setDraft({ ...draft, path: e.target.value })}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.regex}
            onChange={(e) => setDraft({ ...draft, regex: e.target.checked })}
          />
          Regular expression
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.matchCase}
            onChange={(e) => setDraft({ ...draft, matchCase: e.target.checked })}
          />
          Match case
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>

      {input.q === '' && <p className="muted">Type what to look for, then Enter. Press / to come back to the box.</p>}
      {result.isError && <ErrorPanel error={result.error} title="The search failed" />}
      <p aria-live="polite" className="small">
        {result.isFetching && !result.isFetchingNextPage && input.q !== '' && 'Searching…'}
        {!(result.isFetching && !result.isFetchingNextPage) &&
          result.data &&
          (matches.length === 0
            ? 'No match.'
            : `${matches.length}${more ? '+' : ''} ${matches.length === 1 ? 'match' : 'matches'} in ${groups.length} ${
                groups.length === 1 ? 'file' : 'files'
              }, at commit ${commit.slice(0, 12)}.${
                more ? ' More results below.' : ''
              } Use ↑ and ↓ to move between results, Enter to open one.`)}
      </p>
      {result.data && (
        <div ref={results} className="search-results" onKeyDown={onResultsKey}>
          {groups.map(([path, matches]) => (
            <section key={path} className="search-file" aria-label={path}>
              <h2>
                <Link to={blobPath(projectId, commit, path)}>{path}</Link>{' '}
                <span className="muted small">
                  {matches.length} {matches.length === 1 ? 'match' : 'matches'}
                </span>
              </h2>
              <ol>
                {matches.map((m) => (
                  <li key={`${m.line}:${m.column}`}>
                    <Link data-result="" to={`${blobPath(projectId, commit, path)}#L${m.line}`}>
                      <span className="line-no">
                        <span className="visually-hidden">line </span>
                        {m.line}
                      </span>
                      <code>
                        {matchSegments(m.text, input.q, options).map((s, i) =>
                          s.match ? <mark key={i}>{s.text}</mark> : <Fragment key={i}>{s.text}</Fragment>,
                        )}
                      </code>
                    </Link>
                  </li>
                ))}
              </ol>
            </section>
          ))}
          {more && (
            <p>
              <button type="button" disabled={result.isFetchingNextPage} onClick={() => void result.fetchNextPage()}>
                {result.isFetchingNextPage ? 'Loading more results…' : 'More results'}
              </button>
            </p>
          )}
          {result.isFetchNextPageError && <ErrorPanel error={result.error} title="Could not load more results" />}
        </div>
      )}
    </section>
  );
}
