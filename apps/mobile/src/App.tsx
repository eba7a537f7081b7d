import { StatusBar } from 'expo-status-bar';
import { ActivityIndicator, View } from 'react-native';
import { SafeAreaProvider, SafeAreaView } from 'react-native-safe-area-context';
import { colors } from './components/ui';
import { SignInScreen } from './screens/SignInScreen';
import { Shell } from './Shell';
import { ConnectivityProvider } from './state/connectivity';
import { SessionProvider, useSession, type Session } from './state/session';

function Root() {
  const { session, restoring } = useSession();
  if (restoring) {
    return (
      <View style={{ flex: 1, alignItems: 'center', justifyContent: 'center' }}>
        <ActivityIndicator color={colors.accent} />
      </View>
    );
  }
  if (!session) return <SignInScreen />;
  return (
    <ConnectivityProvider key={session.serverUrl + session.user.id}>
      <Shell />
    </ConnectivityProvider>
  );
}

/** The HiveSync mobile app. */
export function App({ initialSession }: { initialSession?: Session } = {}) {
  return (
    <SafeAreaProvider>
      <SafeAreaView style={{ flex: 1, backgroundColor: colors.bg }}>
        <StatusBar style="auto" />
        <SessionProvider initial={initialSession}>
          <Root />
        </SessionProvider>
      </SafeAreaView>
    </SafeAreaProvider>
  );
}
