import type { DiffLine, Suggestion } from '@hivesync/sdk';
import { useState } from 'react';
import { ScrollView, Text, View } from 'react-native';
import { DiffFileView } from '../components/DiffView';
import { Banner, Button, Card, colors, Field, Loading, styles, Title } from '../components/ui';
import { useQuery } from '../state/query';
import { useSignedIn } from '../state/session';

const STATE_TEXT: Record<Suggestion['state'], string> = {
  proposed: 'Proposed: waiting for review',
  approved: 'Approved: not applied yet',
  rejected: 'Rejected',
  applied: 'Applied to a working copy',
  reverted: 'Reverted',
};

/** Review of one suggestion: its diff per file (highlighted), a comment on a line, approve or reject. Never applies. */
export function SuggestionReview({ projectId, suggestion }: { projectId: string; suggestion: Suggestion }) {
  const { client } = useSignedIn();
  const diff = useQuery(`suggestion-diff:${suggestion.id}`, () => client.ai.suggestionDiff(suggestion.id));
  const [state, setState] = useState(suggestion.state);
  const [comment, setComment] = useState('');
  const [line, setLine] = useState<{ file: number; key: string; path: string; anchor: number; line: DiffLine } | null>(
    null,
  );
  const [lineComment, setLineComment] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'warning'; text: string } | null>(null);

  const move = async (to: 'approve' | 'reject') => {
    setMessage(null);
    try {
      const body = comment.trim() ? { comment: comment.trim() } : undefined;
      const next =
        to === 'approve' ? await client.ai.approve(suggestion.id, body) : await client.ai.reject(suggestion.id, body);
      setState(next.state);
      setComment('');
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  const commentOnLine = async () => {
    if (!line || !lineComment.trim()) return;
    try {
      const number = line.line.new_line ?? line.line.old_line;
      await client.threads.create(projectId, {
        path: line.path,
        start_line: line.anchor,
        body: `On the suggestion “${suggestion.description}”, line ${number}: ${lineComment.trim()}`,
      });
      setMessage({ kind: 'warning', text: `Comment posted on ${line.path}:${line.anchor} as a thread.` });
      setLine(null);
      setLineComment('');
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <View testID="suggestion-review">
      <Title level={2}>{suggestion.description}</Title>
      <Text testID="suggestion-state" style={{ color: colors.text, marginBottom: 8 }}>
        {STATE_TEXT[state]}
      </Text>
      {diff.loading && <Loading what="the diff" />}
      {diff.data?.files.map((file, f) => (
        <View key={file.path}>
          <DiffFileView
            file={file}
            selected={line?.file === f ? line.key : undefined}
            onLinePress={(l, anchor) => {
              const h = file.hunks.findIndex((hunk) => hunk.lines.includes(l));
              const i = file.hunks[h]!.lines.indexOf(l);
              setLine({ file: f, key: `${h}:${i}`, path: file.path, anchor, line: l });
            }}
          />
          {line?.file === f && (
            <Card testID="line-comment">
              <Field
                label={`Comment on line ${line.line.new_line ?? line.line.old_line} of ${file.path}`}
                value={lineComment}
                onChangeText={setLineComment}
                multiline
              />
              <View style={[styles.row, { gap: 8 }]}>
                <Button label="Post line comment" onPress={() => void commentOnLine()} disabled={!lineComment.trim()} />
                <Button label="Cancel" kind="secondary" onPress={() => setLine(null)} />
              </View>
            </Card>
          )}
        </View>
      ))}
      {message && <Banner kind={message.kind}>{message.text}</Banner>}
      {state === 'proposed' ? (
        <Card>
          <Field label="Review comment (optional)" value={comment} onChangeText={setComment} multiline />
          <View style={[styles.row, { gap: 8 }]}>
            <Button label="Approve" onPress={() => void move('approve')} />
            <Button label="Reject" kind="danger" onPress={() => void move('reject')} />
          </View>
        </Card>
      ) : null}
      <Text style={[styles.muted, { marginTop: 4 }]}>
        Review only: applying a suggestion to a working copy stays with the desktop app.
      </Text>
    </View>
  );
}

/** The review mode: the suggestions of an AI job (or one suggestion), each with its diff. */
export function ReviewScreen({
  projectId,
  jobId,
  suggestionId,
}: {
  projectId: string;
  jobId?: string;
  suggestionId?: string;
}) {
  const { client } = useSignedIn();
  const key = jobId ? `job:${jobId}` : `suggestion:${suggestionId}`;
  const data = useQuery(key, async (): Promise<Suggestion[]> => {
    if (jobId) return (await client.ai.get(jobId)).suggestions;
    return suggestionId ? [await client.ai.suggestion(suggestionId)] : [];
  });
  return (
    <ScrollView style={styles.screen} contentContainerStyle={styles.content}>
      <Title>Review</Title>
      {data.loading && <Loading what="the suggestion" />}
      {data.error && !data.data ? <Banner kind="error">Could not load the suggestion.</Banner> : null}
      {data.data?.length === 0 && <Text style={styles.muted}>This job made no suggestion.</Text>}
      {data.data?.map((s) => (
        <SuggestionReview key={s.id} projectId={projectId} suggestion={s} />
      ))}
    </ScrollView>
  );
}
