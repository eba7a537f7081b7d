import { useState } from 'react';
import { ScrollView, Text, View } from 'react-native';
import { Banner, Button, Card, colors, Field, Loading, styles, Title } from '../components/ui';
import { ago } from '../lib/format';
import { useQuery } from '../state/query';
import { useSignedIn } from '../state/session';

/** A thread: its code anchor, its comments, a reply box, resolve or reopen. */
export function ThreadScreen({ threadId, compact }: { threadId: string; compact?: boolean }) {
  const { client } = useSignedIn();
  const thread = useQuery(`thread:${threadId}`, () => client.threads.get(threadId), { poll: true });
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const t = thread.data;

  const send = async () => {
    if (!reply.trim()) return;
    setError(null);
    try {
      await client.threads.reply(threadId, reply.trim());
      setReply('');
      await thread.refetch();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const toggle = async () => {
    if (!t) return;
    try {
      if (t.state === 'open') await client.threads.resolve(threadId);
      else await client.threads.reopen(threadId);
      await thread.refetch();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <ScrollView style={styles.screen} contentContainerStyle={compact ? { padding: 8 } : styles.content}>
      {thread.loading && !t && <Loading what="the thread" />}
      {thread.error && !t ? <Banner kind="error">Could not load the thread.</Banner> : null}
      {t && (
        <>
          <Title level={compact ? 2 : 1}>
            {t.anchor.path}:{t.position.start_line}
          </Title>
          <Text testID="thread-state" style={styles.muted}>
            {t.state === 'open' ? 'Open' : 'Resolved'} · {t.comment_count} comment{t.comment_count === 1 ? '' : 's'}
          </Text>
          <Card>
            <Text style={styles.mono}>{t.anchor.text}</Text>
          </Card>
          <View role="list" aria-label="Comments">
            {(t.comments ?? []).map((c) => (
              <View role="listitem" key={c.comment_id}>
                <Card>
                  <Text style={{ fontWeight: '600', color: colors.text }}>
                    {c.author_name}
                    {c.ai ? ' (AI)' : ''} <Text style={styles.muted}>{ago(c.created_at)}</Text>
                  </Text>
                  <Text style={{ color: colors.text }}>{c.deleted ? '(deleted)' : c.body}</Text>
                </Card>
              </View>
            ))}
          </View>
          <Field label="Reply" value={reply} onChangeText={setReply} multiline />
          <View style={[styles.row, { gap: 8 }]}>
            <Button label="Send reply" onPress={() => void send()} disabled={!reply.trim()} />
            <Button
              label={t.state === 'open' ? 'Resolve thread' : 'Reopen thread'}
              kind="secondary"
              onPress={() => void toggle()}
            />
          </View>
          {error && <Banner kind="error">{error}</Banner>}
        </>
      )}
    </ScrollView>
  );
}
