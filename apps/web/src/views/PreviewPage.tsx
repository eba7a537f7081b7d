import { Link, useParams } from 'react-router';
import type { Preview } from '@hivesync/sdk';
import { ErrorPanel, PreviewCodeBlock, PreviewQr } from '@hivesync/ui';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { formatBytes, formatWhen } from '../lib/format.js';
import {
  countdownInWords,
  formatCode,
  PLATFORM_NAMES,
  previewsPath,
  relativeInWords,
  statusInWords,
  viewerUrl,
} from '../lib/previews.js';
import { useNow } from '../lib/use-now.js';
import { usePreviewQuery } from '../queries/previews.js';
import './previews.css';

/**
 * /projects/:id/previews/:previewId: a preview's short code large (with a copy button), a QR code of its `/p/<code>`
 * link, its status, platform, bundle and expiry counting down, and why it failed when a build worker said so.
 */
export function PreviewPage() {
  const { projectId = '', previewId = '' } = useParams();
  const preview = usePreviewQuery(previewId);
  const now = useNow(1000);
  const p = preview.data;
  useTitle(p ? `${PLATFORM_NAMES[p.platform]} preview${p.code ? ` ${formatCode(p.code)}` : ''}` : 'Preview');

  return (
    <section className="preview-page">
      <p>
        <Link to={previewsPath(projectId)}>← Previews</Link>
      </p>
      <h1>{p ? `${PLATFORM_NAMES[p.platform]} preview` : 'Preview'}</h1>
      <ProjectNav projectId={projectId} />
      {preview.isPending && <p aria-live="polite">Loading the preview…</p>}
      {preview.isError && <ErrorPanel error={preview.error} />}
      {p && p.project_id !== projectId && (
        <p className="notice">
          This preview belongs to another project: <Link to={previewsPath(p.project_id)}>its previews</Link>.
        </p>
      )}
      {p && <PreviewDetails preview={p} now={now} />}
    </section>
  );
}

function PreviewDetails({ preview: p, now }: { preview: Preview; now: number }) {
  const status = statusInWords(p, now);
  const link = p.code ? viewerUrl(window.location.origin, p.code) : null;
  return (
    <>
      <p className={`preview-state tone-${status.tone}`} data-testid="preview-status">
        <strong>{status.label}.</strong> {status.sentence}
      </p>
      <div className="preview-open">
        {p.code && link ? (
          <>
            <PreviewCodeBlock code={p.code} usable={status.usable} />
            {status.usable ? (
              <PreviewQr link={link} />
            ) : (
              <p className="muted small">No QR code: the code no longer opens the preview.</p>
            )}
          </>
        ) : (
          <p>Only the project&apos;s members (not viewers) see a preview&apos;s code.</p>
        )}
      </div>
      {link && (
        <p className="preview-url">
          {status.usable ? 'Or open ' : 'It opened at '}
          <a href={link}>{link}</a>
          {status.usable ? ' in a browser (web previews): the link carries the code.' : '.'}
        </p>
      )}
      <h2>Details</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{status.label}</dd>
        <dt>Platform</dt>
        <dd>{PLATFORM_NAMES[p.platform]}</dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={p.created_at}>{formatWhen(p.created_at)}</time> ({relativeInWords(p.created_at, now)})
        </dd>
        {p.ready_at && (
          <>
            <dt>Ready</dt>
            <dd>
              <time dateTime={p.ready_at}>{formatWhen(p.ready_at)}</time>
            </dd>
          </>
        )}
        {p.consumed_at && (
          <>
            <dt>Opened</dt>
            <dd>
              <time dateTime={p.consumed_at}>{formatWhen(p.consumed_at)}</time>
            </dd>
          </>
        )}
        <dt>Expires</dt>
        <dd data-testid="preview-expiry">
          <time dateTime={p.expires_at}>{formatWhen(p.expires_at)}</time>{' '}
          {Date.parse(p.expires_at) > now ? `(in ${countdownInWords(Date.parse(p.expires_at) - now)})` : '(expired)'}
        </dd>
        <dt>Bundle</dt>
        <dd>
          {p.size !== null ? formatBytes(p.size) : 'not uploaded yet'}
          {p.sha256 && (
            <>
              , SHA-256 <code className="hash">{p.sha256}</code>
            </>
          )}
        </dd>
      </dl>
      <h2>Build</h2>
      {p.status === 'failed' ? (
        <div className="error-panel" role="alert">
          <h3>Why the build failed</h3>
          <p>{p.error?.message || 'The build worker gave no reason.'}</p>
          {p.error?.code && (
            <p className="muted small">
              Error code <code>{p.error.code}</code>
            </p>
          )}
        </div>
      ) : (
        <p>
          {p.ready_at
            ? 'The bundle was uploaded and checked: its size and SHA-256 matched.'
            : 'No bundle was uploaded and checked, and no build failure was reported.'}
        </p>
      )}
      <p className="muted small">
        No build log is kept: <code>hivesync preview</code> builds on the publisher&apos;s machine and uploads only the
        bundle, and a server-side build worker reports only whether its build succeeded and, if not, why. The list of
        the bundle&apos;s source files is not kept by the server either.
      </p>
    </>
  );
}
