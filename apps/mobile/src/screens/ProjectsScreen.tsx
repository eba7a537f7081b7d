import { Pressable, ScrollView, Text, View } from 'react-native';
import { Banner, Card, colors, Loading, styles, Title } from '../components/ui';
import type { Route } from '../lib/routes';
import { useQuery } from '../state/query';
import { useSignedIn } from '../state/session';

/** The user's projects; one opens its tasks and threads. */
export function ProjectsScreen({
  navigate,
  selected,
  compact,
}: {
  navigate(route: Route): void;
  /** The open project (tablet: highlighted in the first panel). */
  selected?: string;
  /** The tablet's narrow first panel. */
  compact?: boolean;
}) {
  const { client } = useSignedIn();
  const list = useQuery('projects', () => client.projects.list(), { poll: true });
  return (
    <ScrollView style={styles.screen} contentContainerStyle={compact ? { padding: 8 } : styles.content}>
      <Title level={compact ? 2 : 1}>Projects</Title>
      {list.loading && !list.data && <Loading what="projects" />}
      {list.error && !list.data ? <Banner kind="error">Could not load the projects.</Banner> : null}
      {list.data?.projects.length === 0 && (
        <Text style={styles.muted}>No projects yet: create one on the web app.</Text>
      )}
      <View role="list" aria-label="Projects">
        {list.data?.projects.map((p) => (
          <Pressable
            key={p.id}
            role="listitem"
            aria-label={p.name}
            aria-selected={selected === p.id}
            onPress={() => navigate({ name: 'project', projectId: p.id })}
          >
            <Card>
              <Text style={{ fontWeight: '600', color: selected === p.id ? colors.accent : colors.text }}>
                {p.name}
              </Text>
            </Card>
          </Pressable>
        ))}
      </View>
    </ScrollView>
  );
}
