import { Link, useParams } from 'react-router';
import { DiffBody } from '@hivesync/ui';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { useTitle } from '../components/Title.js';
import { formatWhen } from '../lib/format.js';
import { commitPath, commitsPath, comparePath } from '../lib/permalink.js';
import { useCommitQuery } from '../queries/history.js';

/** /projects/:id/commit/:sha?view=split: a commit, its message, and its diff against its first parent, per file. */
export function CommitPage() {
  const { projectId = '', sha = '' } = useParams();
  const detail = useCommitQuery(projectId, sha);
  useTitle(detail.data ? detail.data.commit.subject : `Commit ${sha.slice(0, 12)}`);

  if (detail.isPending)
    return (
      <section>
        <ProjectBackLink projectId={projectId} />
        <p aria-live="polite">Loading the commit…</p>
      </section>
    );
  if (detail.isError)
    return (
      <section>
        <ProjectBackLink projectId={projectId} />
        <ErrorPanel error={detail.error} />
      </section>
    );
  const { commit, diff } = detail.data;
  const sameAuthor = commit.author.email === commit.committer.email && commit.author.name === commit.committer.name;

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <p className="small">
        <Link to={commitsPath(projectId)}>History</Link>
        {detail.data?.commit.parents[0] && (
          <>
            {' · '}
            <Link to={comparePath(projectId, detail.data.commit.parents[0], detail.data.commit.sha)}>
              Compare with another commit
            </Link>
          </>
        )}
      </p>
      <h1 className="commit-title">{commit.subject || '(no message)'}</h1>
      {commit.body && <pre className="commit-body">{commit.body}</pre>}
      <dl className="facts">
        <dt>Author</dt>
        <dd>
          {commit.author.name} &lt;{commit.author.email}&gt;,{' '}
          <time dateTime={commit.authored_at}>{formatWhen(commit.authored_at)}</time>
        </dd>
        {!sameAuthor && (
          <>
            <dt>Committer</dt>
            <dd>
              {commit.committer.name} &lt;{commit.committer.email}&gt;,{' '}
              <time dateTime={commit.committed_at}>{formatWhen(commit.committed_at)}</time>
            </dd>
          </>
        )}
        <dt>Commit</dt>
        <dd>
          <code>{commit.sha}</code>
        </dd>
        <dt>{commit.parents.length > 1 ? 'Parents' : 'Parent'}</dt>
        <dd>
          {commit.parents.length === 0
            ? 'none (the first commit)'
            : commit.parents.map((p, i) => (
                <span key={p}>
                  {i > 0 && ', '}
                  <Link to={commitPath(projectId, p)}>
                    <code>{p.slice(0, 12)}</code>
                  </Link>
                </span>
              ))}
          {commit.parents.length > 1 && <span className="muted"> (the diff is against the first)</span>}
        </dd>
      </dl>

      <DiffBody projectId={projectId} diff={diff} />
    </section>
  );
}
