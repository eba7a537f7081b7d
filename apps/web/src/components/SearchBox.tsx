import { useEffect, useRef, useState, type RefObject } from 'react';
import { useMatches, useNavigate } from 'react-router';
import { searchPath } from '../lib/permalink.js';

/** Whether a key press goes to something that takes text (a field, or the editor), where `/` must stay a slash. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** `/` anywhere on the page (but in a text field) focuses `ref`'s search box, as on GitHub and Sourcegraph. */
export function useSlashFocus(ref: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typingIn(e.target)) return;
      if (!ref.current) return;
      e.preventDefault();
      ref.current.focus();
      ref.current.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [ref]);
}

/**
 * The header's search box, on every page of a project but its search page (which has its own, with the options):
 * Enter opens the search page with what was typed.
 */
export function HeaderSearch() {
  const matches = useMatches();
  const last = matches[matches.length - 1];
  const projectId = last?.params.projectId;
  const onSearchPage = last?.pathname.endsWith('/search') ?? false;
  if (!projectId || onSearchPage) return null;
  return <HeaderSearchForm projectId={projectId} />;
}

function HeaderSearchForm({ projectId }: { projectId: string }) {
  const navigate = useNavigate();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  useSlashFocus(input);
  return (
    <form
      role="search"
      aria-label="Code search"
      className="header-search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim() !== '') void navigate(searchPath(projectId, { q }));
      }}
    >
      <input
        ref={input}
        type="search"
        aria-label="Search code"
        aria-keyshortcuts="/"
        placeholder="Search code (press /)"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
    </form>
  );
}
