import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { DiffBody } from '@hivesync/ui';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { useTitle } from '../components/Title.js';
import { comparePath } from '../lib/permalink.js';
import { useDiffQuery } from '../queries/history.js';

/**
 * /projects/:id/compare?from=&to=&view=split: the diff between any two commits or branches (`to` is the synced
 * commit when left empty), shown like a commit's.
 */
export function ComparePage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const navigate = useNavigate();
  const diff = useDiffQuery(projectId, from, to);
  const [draft, setDraft] = useState({ from, to });
  const [shown, setShown] = useState({ from, to });
  if (shown.from !== from || shown.to !== to) {
    setShown({ from, to });
    setDraft({ from, to });
  }
  useTitle(from ? `Compare ${from.slice(0, 12)}…${to ? to.slice(0, 12) : 'synced'}` : 'Compare');

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>Compare</h1>
      <form
        className="search-form"
        aria-label="Commits to compare"
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.from.trim() !== '') void navigate(comparePath(projectId, draft.from.trim(), draft.to.trim()));
        }}
      >
        <label>
          From
          <input
            type="text"
            value={draft.from}
            placeholder="a commit hash or a branch"
            required
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </label>
        <label>
          To
          <input
            type="text"
            value={draft.to}
            placeholder="the synced commit"
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
        </label>
        <button type="submit" className="primary">
          Compare
        </button>
      </form>
      {from === '' && <p className="muted">Name two commits (hashes or branches) to see what changed between them.</p>}
      {diff.isFetching && <p aria-live="polite">Loading the diff…</p>}
      {diff.isError && <ErrorPanel error={diff.error} />}
      {diff.data && (
        <>
          <p className="small">
            From <code>{diff.data.from?.slice(0, 12) ?? 'the empty tree'}</code> to{' '}
            <code>{diff.data.to.slice(0, 12)}</code>
          </p>
          <DiffBody projectId={projectId} diff={diff.data} />
        </>
      )}
    </section>
  );
}
