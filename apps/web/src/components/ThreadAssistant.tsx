import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Thread } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { useAiCapabilitiesQuery, useAiJobQuery } from '../queries/ai.js';
import { threadKeys, useAskAssistantMutation } from '../queries/threads.js';

/**
 * "Explain this" and "Suggest a fix" (the latter only with a language model) for project members: the assistant's
 * answer is posted in the thread, which is fetched again when the job ends.
 */
export function ThreadAssistant({ thread }: { thread: Thread }) {
  const ask = useAskAssistantMutation(thread.project_id, thread.thread_id);
  const capabilities = useAiCapabilitiesQuery();
  const withModel = capabilities.data?.provider === 'openai';
  // The job last asked, until it ends: one question at a time.
  const [asked, setAsked] = useState<{ jobId: string; ended: boolean }>();
  const busy = ask.isPending || (asked !== undefined && !asked.ended);
  const send = (action: 'explain' | 'suggest_fix') =>
    ask.mutate(action, { onSuccess: (job) => setAsked({ jobId: job.job_id, ended: false }) });
  return (
    <>
      <button type="button" disabled={busy} onClick={() => send('explain')}>
        Explain this
      </button>
      {withModel && (
        <button type="button" disabled={busy} onClick={() => send('suggest_fix')}>
          Suggest a fix
        </button>
      )}
      {asked && (
        <AskedJob
          key={asked.jobId}
          jobId={asked.jobId}
          projectId={thread.project_id}
          threadId={thread.thread_id}
          onEnd={() => setAsked((a) => (a && !a.ended ? { ...a, ended: true } : a))}
        />
      )}
      {ask.isError && <ErrorPanel error={ask.error} title="The assistant was not asked" />}
    </>
  );
}

/** The asked job's state, until its answer is in the thread. */
function AskedJob(props: { jobId: string; projectId: string; threadId: string; onEnd: () => void }) {
  const { jobId, projectId, threadId, onEnd } = props;
  const job = useAiJobQuery(jobId);
  const queryClient = useQueryClient();
  const status = job.data?.status;
  // Once per job: the thread is fetched again a single time, however often this renders afterwards.
  const ended = useRef(false);
  useEffect(() => {
    if ((status === 'completed' || status === 'failed') && !ended.current) {
      ended.current = true;
      void queryClient.invalidateQueries({ queryKey: threadKeys.detail(threadId) });
      void queryClient.invalidateQueries({ queryKey: threadKeys.project(projectId) });
      onEnd();
    }
  }, [status, projectId, threadId, queryClient, onEnd]);
  if (!job.data || status === 'completed') return null;
  if (status === 'failed')
    return (
      <p className="small" role="status">
        The assistant could not answer: {job.data.error?.message}
      </p>
    );
  return (
    <p className="small" role="status">
      The assistant is {status === 'queued' ? 'waiting for a worker' : 'reading the code'}…
    </p>
  );
}
