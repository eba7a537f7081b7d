import { Link, useParams, useSearchParams } from 'react-router';
import type { Preview } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { formatBytes, formatWhen } from '../lib/format.js';
import {
  formatCode,
  PLATFORM_NAMES,
  previewPath,
  previewsPath,
  relativeInWords,
  statusInWords,
} from '../lib/previews.js';
import { useNow } from '../lib/use-now.js';
import { useProjectQuery } from '../queries/projects.js';
import { usePreviewsQuery } from '../queries/previews.js';
import './previews.css';

/**
 * /projects/:id/previews?cursor=: the project's previews, newest first, with status, platform, age and expiry; a page
 * at a time, each page with its own address (as the commit log). Previews are published with the CLI.
 */
export function PreviewsPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const cursor = params.get('cursor') ?? undefined;
  const list = usePreviewsQuery(projectId, cursor);
  const project = useProjectQuery(projectId);
  const now = useNow(15_000);
  useTitle('Previews');

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>Previews</h1>
      <ProjectNav projectId={projectId} />
      {list.isPending && <p aria-live="polite">Loading the previews…</p>}
      {list.isError && <ErrorPanel error={list.error} />}
      {list.data && list.data.previews.length === 0 && !cursor && (
        <HowToPublish projectName={project.data?.name ?? projectId} />
      )}
      {list.data && list.data.previews.length > 0 && (
        <ol className="preview-list" aria-label="Previews, newest first">
          {list.data.previews.map((p) => (
            <PreviewRow key={p.preview_id} projectId={projectId} preview={p} now={now} />
          ))}
        </ol>
      )}
      {list.data && (
        <nav aria-label="Pages of the previews" className="pager">
          {cursor && <Link to={previewsPath(projectId)}>Newest previews</Link>}
          {list.data.next_cursor ? (
            <Link to={previewsPath(projectId, list.data.next_cursor)} className="button">
              Older previews
            </Link>
          ) : (
            cursor && <span className="muted">These are the oldest previews.</span>
          )}
        </nav>
      )}
    </section>
  );
}

function PreviewRow({ projectId, preview: p, now }: { projectId: string; preview: Preview; now: number }) {
  const status = statusInWords(p, now);
  const platform = PLATFORM_NAMES[p.platform];
  return (
    <li>
      <div className="preview-row-head">
        <Link to={previewPath(projectId, p.preview_id)} className="preview-link">
          {platform} preview{p.code ? ` ${formatCode(p.code)}` : ''}
        </Link>
        <span className={`badge preview-status tone-${status.tone}`}>{status.label}</span>
      </div>
      <span className="muted small">
        <span>
          created <time dateTime={p.created_at}>{relativeInWords(p.created_at, now)}</time>
        </span>
        {' · '}
        {status.usable || p.status === 'pending_upload' ? (
          <span>
            expires <time dateTime={p.expires_at}>{relativeInWords(p.expires_at, now)}</time>
          </span>
        ) : (
          <span>
            {status.label.toLowerCase()}
            {status.label === 'Expired' && (
              <>
                {' '}
                <time dateTime={p.expires_at} title={formatWhen(p.expires_at)}>
                  {relativeInWords(p.expires_at, now)}
                </time>
              </>
            )}
          </span>
        )}
        {p.size !== null && ` · ${formatBytes(p.size)}`}
      </span>
    </li>
  );
}

/** The empty list: previews are published from a terminal, with the CLI. */
function HowToPublish({ projectName }: { projectName: string }) {
  const quoted = /^[A-Za-z0-9._-]+$/.test(projectName) ? projectName : `'${projectName.replace(/'/g, "'\\''")}'`;
  return (
    <div className="notice">
      <p>No previews yet. A preview is an app bundle that someone opens once with a short code or a QR code.</p>
      <p>Publish one from the app&apos;s folder with the HiveSync CLI:</p>
      <pre className="command">
        <code>hivesync preview . --project {quoted} --platform web</code>
      </pre>
      <p className="small">
        Use <code>--platform ios</code> or <code>--platform android</code> for the mobile app. The CLI builds the
        bundle, uploads it, and prints the code; the preview then shows here.
      </p>
    </div>
  );
}
