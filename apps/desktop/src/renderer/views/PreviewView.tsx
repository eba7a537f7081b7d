import { useQuery } from '@tanstack/react-query';
import { ErrorPanel, PreviewCodeBlock } from '@hivesync/ui';
import { Link, useParams } from 'react-router';
import { client } from '../agent.js';
import { keys } from '../queries.js';
import { PreviewStatus } from './SendPreview.js';

/** A preview, opened from a notification: its code (to members) and where it is. */
export function PreviewView() {
  const { projectId = '', previewId = '' } = useParams();
  const preview = useQuery({
    queryKey: keys.preview(previewId),
    queryFn: ({ signal }) => client.previews.get(previewId, { signal }),
  });
  const p = preview.data;
  return (
    <section>
      <p>
        <Link to={`/projects/${projectId}`}>← Project</Link>
      </p>
      <h1>Preview</h1>
      {preview.isError && <ErrorPanel error={preview.error} />}
      {p?.code && <PreviewCodeBlock code={p.code} usable={p.status === 'ready'} />}
      <PreviewStatus preview={p} />
    </section>
  );
}
