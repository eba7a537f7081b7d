import type { Task, Thread } from '@hivesync/sdk';
import { useState } from 'react';
import { Pressable, ScrollView, Text, View } from 'react-native';
import { Banner, Button, Card, colors, Loading, styles, Title } from '../components/ui';
import { ago } from '../lib/format';
import type { Route } from '../lib/routes';
import { useQuery } from '../state/query';
import { useSignedIn } from '../state/session';

const TASK_STATUS: Record<Task['status'], string> = { todo: 'To do', in_progress: 'In progress', done: 'Done' };
type Tab = 'tasks' | 'threads' | 'suggestions';

/** A thread as a list row: where, who started it, how many comments. */
export function ThreadRow({ thread, onPress, selected }: { thread: Thread; onPress(): void; selected?: boolean }) {
  const first = thread.first_comment;
  return (
    <Pressable
      role="listitem"
      aria-label={`Thread on ${thread.anchor.path}:${thread.position.start_line}`}
      onPress={onPress}
    >
      <Card>
        <Text style={{ fontWeight: '600', color: selected ? colors.accent : colors.text }}>
          {thread.anchor.path}:{thread.position.start_line} {thread.state === 'resolved' ? '· resolved' : ''}
        </Text>
        {first && (
          <Text style={styles.muted} numberOfLines={2}>
            {first.author_name}: {first.body}
          </Text>
        )}
        <Text style={styles.muted}>
          {thread.comment_count} comment{thread.comment_count === 1 ? '' : 's'} · {ago(thread.created_at)}
        </Text>
      </Card>
    </Pressable>
  );
}

/** A project's threads (open and resolved). */
export function ThreadList({
  projectId,
  navigate,
  selected,
}: {
  projectId: string;
  navigate(route: Route): void;
  selected?: string;
}) {
  const { client } = useSignedIn();
  const threads = useQuery(`threads:${projectId}`, () => client.threads.list(projectId, { state: 'all' }), {
    poll: true,
  });
  return (
    <View role="list" aria-label="Threads">
      {threads.loading && !threads.data && <Loading what="threads" />}
      {threads.error && !threads.data ? <Banner kind="error">Could not load the threads.</Banner> : null}
      {threads.data?.threads.length === 0 && <Text style={styles.muted}>No threads.</Text>}
      {threads.data?.threads.map((t) => (
        <ThreadRow
          key={t.thread_id}
          thread={t}
          selected={selected === t.thread_id}
          onPress={() => navigate({ name: 'thread', projectId, threadId: t.thread_id })}
        />
      ))}
    </View>
  );
}

/** A project's AI suggestions waiting for review (and the others), each opening the review. */
export function SuggestionList({ projectId, navigate }: { projectId: string; navigate(route: Route): void }) {
  const { client } = useSignedIn();
  const list = useQuery(`suggestions:${projectId}`, () => client.ai.suggestions(projectId), { poll: true });
  return (
    <View role="list" aria-label="Suggestions">
      {list.loading && !list.data && <Loading what="suggestions" />}
      {list.data?.suggestions.length === 0 && <Text style={styles.muted}>No suggestions.</Text>}
      {list.data?.suggestions.map((s) => (
        <Pressable
          key={s.id}
          role="listitem"
          aria-label={`Review ${s.description}`}
          onPress={() => navigate({ name: 'review', projectId, suggestionId: s.id })}
        >
          <Card>
            <Text style={{ fontWeight: '600', color: colors.text }}>{s.description}</Text>
            <Text style={styles.muted}>
              {s.state} · {s.files.join(', ')}
            </Text>
          </Card>
        </Pressable>
      ))}
    </View>
  );
}

/** A project's tasks: status, file, linked thread; a task can be marked done. */
export function TaskList({ projectId, navigate }: { projectId: string; navigate(route: Route): void }) {
  const { client } = useSignedIn();
  const tasks = useQuery(`tasks:${projectId}`, () => client.tasks.list(projectId), { poll: true });
  const done = async (task: Task) => {
    await client.tasks.update(task.task_id, { status: 'done' });
    await tasks.refetch();
  };
  return (
    <View role="list" aria-label="Tasks">
      {tasks.loading && !tasks.data && <Loading what="tasks" />}
      {tasks.error && !tasks.data ? <Banner kind="error">Could not load the tasks.</Banner> : null}
      {tasks.data?.tasks.length === 0 && <Text style={styles.muted}>No tasks.</Text>}
      {tasks.data?.tasks.map((t) => (
        <View role="listitem" key={t.task_id}>
          <Card>
            <Text style={{ fontWeight: '600', color: colors.text }}>{t.title}</Text>
            <Text style={styles.muted}>
              {TASK_STATUS[t.status]}
              {t.file ? ` · ${t.file.path}${t.file.line ? `:${t.file.line}` : ''}` : ''}
            </Text>
            {t.description ? <Text style={{ color: colors.text }}>{t.description}</Text> : null}
            <View style={[styles.row, { gap: 8 }]}>
              {t.thread_id && (
                <Button
                  label="Open thread"
                  kind="secondary"
                  onPress={() => navigate({ name: 'thread', projectId, threadId: t.thread_id! })}
                />
              )}
              {t.status !== 'done' && <Button label={`Mark “${t.title}” done`} onPress={() => void done(t)} />}
            </View>
          </Card>
        </View>
      ))}
    </View>
  );
}

/** The phone's project screen: tasks, threads and suggestions as tabs. */
export function ProjectScreen({
  projectId,
  tab: initialTab,
  navigate,
}: {
  projectId: string;
  tab?: Tab;
  navigate(route: Route): void;
}) {
  const { client } = useSignedIn();
  const project = useQuery(`project:${projectId}`, () => client.projects.get(projectId));
  const [tab, setTab] = useState<Tab>(initialTab ?? 'threads');
  return (
    <ScrollView style={styles.screen} contentContainerStyle={styles.content}>
      <Title>{project.data?.name ?? 'Project'}</Title>
      <View role="tablist" style={[styles.row, { gap: 8, marginBottom: 8 }]}>
        {(['threads', 'tasks', 'suggestions'] as const).map((t) => (
          <Pressable
            key={t}
            role="tab"
            aria-selected={tab === t}
            onPress={() => setTab(t)}
            style={{
              paddingVertical: 6,
              paddingHorizontal: 10,
              borderBottomWidth: 2,
              borderColor: tab === t ? colors.accent : 'transparent',
            }}
          >
            <Text style={{ color: tab === t ? colors.accent : colors.text, fontWeight: '600' }}>
              {t[0]!.toUpperCase() + t.slice(1)}
            </Text>
          </Pressable>
        ))}
      </View>
      {tab === 'threads' && <ThreadList projectId={projectId} navigate={navigate} />}
      {tab === 'tasks' && <TaskList projectId={projectId} navigate={navigate} />}
      {tab === 'suggestions' && <SuggestionList projectId={projectId} navigate={navigate} />}
    </ScrollView>
  );
}
