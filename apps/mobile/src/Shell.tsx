import { useCallback, useState } from 'react';
import { Pressable, Text, useWindowDimensions, View } from 'react-native';
import { Banner, Button, colors, styles } from './components/ui';
import { TABS, type Route, type TabName } from './lib/routes';
import { NotificationsScreen } from './screens/NotificationsScreen';
import { PreviewScreen } from './screens/PreviewScreen';
import { ProjectScreen } from './screens/ProjectScreen';
import { ProjectsScreen } from './screens/ProjectsScreen';
import { ReviewScreen } from './screens/ReviewScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { TabletWorkspace, type TabletState } from './screens/TabletWorkspace';
import { ThreadScreen } from './screens/ThreadScreen';
import { useConnectivity } from './state/connectivity';
import { usePushRegistration } from './state/push';
import { useSignedIn } from './state/session';

/** From this width on (an iPad, a tablet, a wide window) the app shows the multi-panel layout. */
export const TABLET_MIN_WIDTH = 900;

const isTab = (route: Route): route is { name: TabName } => TABS.some((t) => t.name === route.name);

/** One pushed screen of the phone layout. */
function PhoneScreen({ route, navigate }: { route: Route; navigate(route: Route): void }) {
  switch (route.name) {
    case 'project':
      return <ProjectScreen projectId={route.projectId} tab={route.tab} navigate={navigate} />;
    case 'thread':
      return <ThreadScreen threadId={route.threadId} />;
    case 'review':
      return <ReviewScreen projectId={route.projectId} jobId={route.jobId} suggestionId={route.suggestionId} />;
    default:
      return null;
  }
}

/** The signed-in app: tabs on a phone (screens pushed over them), panels on a tablet; the offline banner. */
export function Shell() {
  const { width } = useWindowDimensions();
  const tablet = width >= TABLET_MIN_WIDTH;
  const { offline } = useConnectivity();
  const [tab, setTab] = useState<TabName>('preview');
  const [stack, setStack] = useState<Route[]>([]);
  const [panels, setPanels] = useState<TabletState>({});

  const navigate = useCallback(
    (route: Route) => {
      if (isTab(route)) {
        setTab(route.name);
        setStack([]);
        return;
      }
      if (tablet) {
        setTab('projects');
        if (route.name === 'project')
          setPanels((p) =>
            p.projectId === route.projectId ? { ...p, review: undefined } : { projectId: route.projectId },
          );
        else if (route.name === 'thread')
          setPanels((p) => ({
            projectId: route.projectId,
            filePath: p.projectId === route.projectId ? p.filePath : undefined,
            threadId: route.threadId,
          }));
        else
          setPanels({ projectId: route.projectId, review: { jobId: route.jobId, suggestionId: route.suggestionId } });
        return;
      }
      setStack((s) => [...s, route]);
    },
    [tablet],
  );

  const { client } = useSignedIn();
  const push = usePushRegistration(client, navigate);

  const top = stack[stack.length - 1];
  let body;
  if (!tablet && top) body = <PhoneScreen route={top} navigate={navigate} />;
  else if (tab === 'preview') body = <PreviewScreen />;
  else if (tab === 'notifications') body = <NotificationsScreen navigate={navigate} />;
  else if (tab === 'settings') body = <SettingsScreen push={push} />;
  else if (tablet) body = <TabletWorkspace state={panels} setState={setPanels} navigate={navigate} />;
  else body = <ProjectsScreen navigate={navigate} />;

  return (
    // The tab bar is at the bottom on a phone and at the top on a tablet, where the panels need the full width.
    <View style={[styles.screen, tablet && { flexDirection: 'column-reverse' }]}>
      <View style={{ flex: 1 }}>
        {offline && (
          <Banner kind="warning" testID="offline-banner">
            Offline: showing the lists last loaded. Trying again every 120 s.
          </Banner>
        )}
        {!tablet && top && (
          <View style={[styles.row, { paddingHorizontal: 8, borderBottomWidth: 1, borderColor: colors.border }]}>
            <Button label="Back" kind="secondary" onPress={() => setStack((s) => s.slice(0, -1))} />
          </View>
        )}
        <View style={{ flex: 1 }}>{body}</View>
      </View>
      <View
        role="tablist"
        aria-label="Sections"
        style={[
          { backgroundColor: colors.card, borderColor: colors.border },
          tablet
            ? { flexDirection: 'row', borderBottomWidth: 1, paddingHorizontal: 8, gap: 8 }
            : { flexDirection: 'row', borderTopWidth: 1, justifyContent: 'space-around' },
        ]}
      >
        {TABS.map((t) => {
          const selected = tab === t.name && (tablet || !top);
          return (
            <Pressable
              key={t.name}
              role="tab"
              aria-selected={selected}
              aria-label={t.label}
              onPress={() => navigate({ name: t.name })}
              style={{ paddingVertical: 12, paddingHorizontal: 8, alignItems: 'center' }}
            >
              <Text
                style={{
                  color: selected ? colors.accent : colors.muted,
                  fontWeight: selected ? '700' : '500',
                  fontSize: 13,
                }}
              >
                {t.label}
              </Text>
            </Pressable>
          );
        })}
      </View>
    </View>
  );
}
