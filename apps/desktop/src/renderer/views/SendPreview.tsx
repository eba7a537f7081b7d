import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  isHiveSyncError,
  PREVIEW_PROGRESS_EVENT,
  type AgentPreviewProgress,
  type AgentPreviewResult,
  type FolderMapping,
  type Preview,
} from '@hivesync/sdk';
import { ErrorPanel, PreviewCodeBlock, PreviewQr } from '@hivesync/ui';
import { agent, client } from '../agent.js';
import { useLiveEvent } from '../live.js';
import { keys } from '../queries.js';

type Platform = 'web' | 'ios' | 'android';
const PLATFORMS: { value: Platform; label: string }[] = [
  { value: 'ios', label: 'iOS' },
  { value: 'android', label: 'Android' },
  { value: 'web', label: 'Web' },
];
const STAGES: { stage: AgentPreviewProgress['stage']; label: string }[] = [
  { stage: 'building', label: 'Building' },
  { stage: 'uploading', label: 'Uploading' },
  { stage: 'completing', label: 'Checking' },
  { stage: 'ready', label: 'Ready' },
];

/** Where a build failed, from the agent's 422 (`details.file`, `line`, `column`, and the bundler's `errors`). */
export function buildFailure(error: unknown): { file?: string; line?: number; column?: number; text?: string } | null {
  if (!isHiveSyncError(error) || error.status !== 422) return null;
  const d = (error.details ?? {}) as Record<string, unknown>;
  const first = (
    Array.isArray(d.errors) && typeof d.errors[0] === 'object' && d.errors[0] !== null ? d.errors[0] : {}
  ) as Record<string, unknown>;
  const loc = (typeof first.location === 'object' && first.location !== null ? first.location : first) as Record<
    string,
    unknown
  >;
  const file = typeof d.file === 'string' ? d.file : loc.file;
  const line = typeof d.line === 'number' ? d.line : loc.line;
  const column = typeof d.column === 'number' ? d.column : loc.column;
  return {
    ...(typeof file === 'string' && { file }),
    ...(typeof line === 'number' && { line }),
    ...(typeof column === 'number' && { column }),
    ...(typeof first.text === 'string' && { text: first.text }),
  };
}

/**
 * "Send preview": the agent builds the mapped folder's app with the bundler, uploads it and answers with the code; a
 * modal shows the stages as the agent reports them, then the code and a QR code of the deep link, and whether a
 * device opened it (live), or the build's failure with its file and line.
 */
export function SendPreview({ mapping }: { mapping: FolderMapping }) {
  const headingId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [platform, setPlatform] = useState<Platform>('ios');
  const [requestId, setRequestId] = useState('');
  const [stage, setStage] = useState<AgentPreviewProgress['stage'] | null>(null);
  const send = useMutation({
    mutationFn: (id: string) =>
      agent.createPreview({ folder: mapping.folder, platform, project_id: mapping.project_id }, { requestId: id }),
  });
  useLiveEvent(PREVIEW_PROGRESS_EVENT, (data) => {
    const progress = data as AgentPreviewProgress;
    if (progress.request_id === requestId) setStage(progress.stage);
  });
  const start = () => {
    const id = crypto.randomUUID();
    setRequestId(id);
    setStage('building');
    send.mutate(id);
    dialog.current?.showModal();
  };
  const result = send.data;
  const failure = send.isError ? buildFailure(send.error) : null;
  const shownStage = send.isSuccess ? 'ready' : send.isError ? 'failed' : stage;

  return (
    <section aria-labelledby={headingId} className="panel">
      <h2 id={headingId}>Preview on a device</h2>
      <div className="actions wrap">
        <label className="inline" htmlFor={`${headingId}-platform`}>
          Platform
        </label>
        <select id={`${headingId}-platform`} value={platform} onChange={(e) => setPlatform(e.target.value as Platform)}>
          {PLATFORMS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <button type="button" className="primary" onClick={start} disabled={send.isPending}>
          Send preview
        </button>
      </div>
      <dialog ref={dialog} className="modal" aria-labelledby={`${headingId}-modal`}>
        <div className="modal-head">
          <h2 id={`${headingId}-modal`}>Preview of {mapping.folder.split('/').pop()}</h2>
          <button type="button" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
        <ol className="stages" aria-label="Progress">
          {STAGES.map((s, i) => {
            const at = STAGES.findIndex((x) => x.stage === shownStage);
            const state =
              shownStage === 'failed' ? '' : i < at || shownStage === 'ready' ? 'done' : i === at ? 'current' : '';
            return (
              <li key={s.stage} className={`stage ${state}`} aria-current={state === 'current' ? 'step' : undefined}>
                {s.label}
              </li>
            );
          })}
        </ol>
        {send.isPending && (
          <p aria-live="polite" data-testid="preview-progress">
            {STAGES.find((s) => s.stage === stage)?.label ?? 'Building'}…
          </p>
        )}
        {send.isError &&
          (failure ? (
            <div className="error-panel" role="alert" data-testid="preview-failure">
              <h3>The build failed</h3>
              {failure.file && (
                <p>
                  In <code>{failure.file}</code>
                  {failure.line !== undefined && `, line ${failure.line}`}
                  {failure.column !== undefined && `, column ${failure.column}`}
                </p>
              )}
              <p>{failure.text ?? (send.error instanceof Error ? send.error.message : '')}</p>
            </div>
          ) : (
            <ErrorPanel error={send.error} title="The preview was not sent" />
          ))}
        {result && <PreviewResult result={result} />}
      </dialog>
    </section>
  );
}

/** The code, the QR code of the deep link, and the preview's status, asked again until a device opens it. */
function PreviewResult({ result }: { result: AgentPreviewResult }) {
  const preview = useQuery({
    queryKey: keys.preview(result.preview_id),
    queryFn: ({ signal }) => client.previews.get(result.preview_id, { signal }),
    refetchInterval: (q) => (q.state.data && q.state.data.status !== 'ready' ? false : 2000),
  });
  return (
    <>
      <div className="preview-open">
        <PreviewCodeBlock code={result.code} usable={preview.data?.status !== 'consumed'} />
        <PreviewQr link={result.deep_link} caption="Scan with the HiveSync app on your phone." />
      </div>
      <PreviewStatus preview={preview.data} />
    </>
  );
}

/** Where a preview is, in words: waiting for a device, opened (when), expired or failed. */
export function PreviewStatus({ preview }: { preview: Preview | undefined }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  if (!preview) return null;
  const words: Record<Preview['status'], string> = {
    pending_upload: 'Uploading…',
    ready: 'Waiting for a device to open it.',
    consumed: `Opened on a device${preview.consumed_at ? ` at ${new Date(preview.consumed_at).toLocaleTimeString()}` : ''}.`,
    expired: 'Expired: send a new one.',
    deleted: 'Deleted.',
    failed: `The build failed${preview.error?.message ? `: ${preview.error.message}` : '.'}`,
  };
  return (
    <p className="preview-live" aria-live="polite" data-testid="preview-status">
      {words[preview.status]}
    </p>
  );
}
