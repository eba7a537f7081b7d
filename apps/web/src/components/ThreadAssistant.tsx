import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Thread } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { isRunning, useAiCapabilitiesQuery, useAiJobQuery } from '../queries/ai.js';
import { threadKeys, useAskAssistantMutation } from '../queries/threads.js';

/**
 * "Explain this" and "Suggest a fix" (the latter only with a language model) for project members: the assistant's
 * answer is posted in the thread, which is fetched again when the job ends.
 */
export function ThreadAssistant({ thread }: { thread: Thread }) {
  const ask = useAskAssistantMutation(thread.project_id, thread.thread_id);
  const capabilities = useAiCapabilitiesQuery();
  const withModel = capabilities.data?.provider === 'openai';
  const asked = ask.data;
  return (
    <>
      <button
        type="button"
        disabled={ask.isPending || (asked && isRunning(asked))}
        onClick={() => ask.mutate('explain')}
      >
        Explain this
      </button>
      {withModel && (
        <button
          type="button"
          disabled={ask.isPending || (asked && isRunning(asked))}
          onClick={() => ask.mutate('suggest_fix')}
        >
          Suggest a fix
        </button>
      )}
      {asked && <AskedJob jobId={asked.job_id} threadId={thread.thread_id} />}
      {ask.isError && <ErrorPanel error={ask.error} title="The assistant was not asked" />}
    </>
  );
}

/** The asked job's state, until its answer is in the thread. */
function AskedJob({ jobId, threadId }: { jobId: string; threadId: string }) {
  const job = useAiJobQuery(jobId);
  const queryClient = useQueryClient();
  const status = job.data?.status;
  useEffect(() => {
    if (status === 'completed' || status === 'failed')
      void queryClient.invalidateQueries({ queryKey: threadKeys.detail(threadId) });
  }, [status, threadId, queryClient]);
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
