import type { TreeEntry } from '@hivesync/sdk';
import { useState } from 'react';
import { Pressable, ScrollView, Text, View } from 'react-native';
import { CodeLine } from '../components/DiffView';
import { Banner, Button, colors, Loading, styles, Title } from '../components/ui';
import type { Route } from '../lib/routes';
import { useQuery } from '../state/query';
import { useSignedIn } from '../state/session';
import { ProjectsScreen } from './ProjectsScreen';
import { SuggestionList, ThreadList } from './ProjectScreen';
import { ReviewScreen } from './ReviewScreen';
import { ThreadScreen } from './ThreadScreen';

/** What the tablet's panels show. */
export interface TabletState {
  projectId?: string;
  filePath?: string;
  /** The right panel: the lists, or one thread. */
  threadId?: string;
  /** Review mode: the middle and right panels become the review of these suggestions. */
  review?: { jobId?: string; suggestionId?: string };
}

const panel = { borderRightWidth: 1, borderColor: colors.border, backgroundColor: colors.bg } as const;

/** The file tree of a project, folders opened in place. */
function FileTree({
  projectId,
  selected,
  onOpen,
}: {
  projectId: string;
  selected?: string;
  onOpen(path: string): void;
}) {
  const { client } = useSignedIn();
  const tree = useQuery(`tree:${projectId}`, () => client.repo.tree(projectId, { recursive: true }));
  const [open, setOpen] = useState<Set<string>>(new Set());
  const entries = tree.data?.entries ?? [];
  const visible = entries.filter((e: TreeEntry) => {
    const parts = e.path.split('/');
    for (let i = 1; i < parts.length; i++) if (!open.has(parts.slice(0, i).join('/'))) return false;
    return true;
  });
  return (
    <ScrollView style={{ flex: 1 }} contentContainerStyle={{ padding: 8 }}>
      <Title level={2}>Files</Title>
      {tree.loading && <Loading what="files" />}
      {tree.error && !tree.data ? <Banner kind="error">Could not load the files.</Banner> : null}
      <View role="tree" aria-label="Files">
        {visible.map((e) => {
          const depth = e.path.split('/').length - 1;
          const name = e.path.split('/').pop();
          return (
            <Pressable
              key={e.path}
              role="treeitem"
              aria-label={e.path}
              aria-expanded={e.type === 'dir' ? open.has(e.path) : undefined}
              aria-selected={selected === e.path}
              onPress={() => {
                if (e.type === 'file') onOpen(e.path);
                else
                  setOpen((prev) => {
                    const next = new Set(prev);
                    if (next.has(e.path)) next.delete(e.path);
                    else next.add(e.path);
                    return next;
                  });
              }}
              style={{
                paddingLeft: 8 + depth * 12,
                paddingVertical: 3,
                backgroundColor: selected === e.path ? '#ddf4ff' : undefined,
              }}
            >
              <Text style={{ color: colors.text }} numberOfLines={1}>
                {e.type === 'dir' ? (open.has(e.path) ? '▾ ' : '▸ ') : '  '}
                {name}
              </Text>
            </Pressable>
          );
        })}
      </View>
    </ScrollView>
  );
}

/** A file's code with line numbers and highlighting. */
function CodePanel({ projectId, path }: { projectId: string; path: string }) {
  const { client } = useSignedIn();
  const file = useQuery(`file:${projectId}:${path}`, () => client.repo.file(projectId, path));
  const lines = file.data?.encoding === 'utf8' ? file.data.content.split('\n') : [];
  return (
    <ScrollView style={{ flex: 1, backgroundColor: '#fff' }} contentContainerStyle={{ padding: 8 }}>
      <Title level={2}>{path}</Title>
      {file.loading && <Loading what={path} />}
      {file.data?.encoding === 'base64' && <Text style={styles.muted}>A binary file.</Text>}
      {lines.map((line, i) => (
        <View key={i} style={styles.row}>
          <Text style={[styles.mono, { width: 40, textAlign: 'right', color: colors.muted, paddingRight: 8 }]}>
            {i + 1}
          </Text>
          <View style={{ flex: 1 }}>
            <CodeLine text={line} path={path} />
          </View>
        </View>
      ))}
    </ScrollView>
  );
}

/** The iPad layout: projects | file tree | code, with threads and suggestions beside; review mode for suggestions. */
export function TabletWorkspace({
  state,
  setState,
  navigate,
}: {
  state: TabletState;
  setState(next: TabletState): void;
  navigate(route: Route): void;
}) {
  const { projectId } = state;
  return (
    <View style={{ flex: 1, flexDirection: 'row' }} testID="tablet-workspace">
      <View style={[panel, { width: 170 }]}>
        <ProjectsScreen compact selected={projectId} navigate={navigate} />
      </View>
      {!projectId ? (
        <View style={[styles.content, { flex: 1 }]}>
          <Text style={styles.muted}>Choose a project.</Text>
        </View>
      ) : state.review ? (
        <View style={{ flex: 1 }} testID="review-mode">
          <View style={[styles.row, { padding: 8, gap: 8, borderBottomWidth: 1, borderColor: colors.border }]}>
            <Text style={{ fontWeight: '700', color: colors.text, flex: 1 }}>Review mode</Text>
            <Button label="Leave review" kind="secondary" onPress={() => setState({ projectId })} />
          </View>
          <View style={{ flex: 1, flexDirection: 'row' }}>
            <View style={{ flex: 1 }}>
              <ReviewScreen projectId={projectId} {...state.review} />
            </View>
            <ScrollView
              style={[panel, { width: 260, flexGrow: 0, borderLeftWidth: 1 }]}
              contentContainerStyle={{ padding: 8 }}
            >
              <Title level={2}>Suggestions</Title>
              <SuggestionList projectId={projectId} navigate={navigate} />
            </ScrollView>
          </View>
        </View>
      ) : (
        <>
          <View style={[panel, { width: 190 }]}>
            <FileTree
              projectId={projectId}
              selected={state.filePath}
              onOpen={(filePath) => setState({ ...state, filePath })}
            />
          </View>
          <View style={[panel, { flex: 1 }]}>
            {state.filePath ? (
              <CodePanel projectId={projectId} path={state.filePath} />
            ) : (
              <Text style={[styles.muted, styles.content]}>Choose a file.</Text>
            )}
          </View>
          <View style={{ width: 290, backgroundColor: colors.bg }}>
            {state.threadId ? (
              <View style={{ flex: 1 }}>
                <Button
                  label="All threads"
                  kind="secondary"
                  onPress={() => setState({ ...state, threadId: undefined })}
                />
                <ThreadScreen compact threadId={state.threadId} />
              </View>
            ) : (
              <ScrollView contentContainerStyle={{ padding: 8 }}>
                <Title level={2}>Threads</Title>
                <ThreadList projectId={projectId} navigate={navigate} />
                <Title level={2}>Suggestions</Title>
                <SuggestionList projectId={projectId} navigate={navigate} />
              </ScrollView>
            )}
          </View>
        </>
      )}
    </View>
  );
}
