import { Component, useMemo, useState, type ComponentType, type ErrorInfo, type ReactNode } from 'react';
import { ScrollView, Text, View } from 'react-native';
import { Button, colors, styles } from '../components/ui';
import { evaluateBundle, hostModules, type HostModules } from './runtime';

/** What the error screen shows: the bundle's error and its stack. */
interface ShownError {
  message: string;
  stack: string;
  when: 'load' | 'render';
}

function shown(error: unknown, when: ShownError['when'], info?: ErrorInfo): ShownError {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    message: `${err.name}: ${err.message}`,
    stack: [err.stack ?? '', info?.componentStack ?? ''].filter(Boolean).join('\n'),
    when,
  };
}

/** Catches what the preview throws while rendering, so the app keeps working and shows it. */
class PreviewBoundary extends Component<{ children: ReactNode; onError(e: ShownError): void }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: unknown, info: ErrorInfo) {
    this.props.onError(shown(error, 'render', info));
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

/** The bundle's error with its stack. */
export function PreviewError({ error }: { error: ShownError }) {
  return (
    <ScrollView style={{ flex: 1, backgroundColor: colors.dangerBg }} contentContainerStyle={styles.content}>
      <Text role="heading" aria-level={1} style={[styles.h1, { color: colors.danger }]}>
        {error.when === 'load' ? 'The preview failed to load' : 'The preview crashed while rendering'}
      </Text>
      <Text testID="preview-error-message" style={{ color: colors.danger, fontWeight: '600', marginBottom: 8 }}>
        {error.message}
      </Text>
      <Text testID="preview-error-stack" style={[styles.mono, { color: colors.text }]} selectable>
        {error.stack}
      </Text>
    </ScrollView>
  );
}

/**
 * Runs a preview bundle: evaluated with the host's React and React Native, rendered inside an error boundary, under a
 * bar to reload it (evaluated afresh, state lost) or leave.
 */
export function PreviewRunner({
  source,
  title,
  onLeave,
  modules,
}: {
  source: string;
  title: string;
  onLeave(): void;
  /** The modules the bundle may require (the host's own by default). */
  modules?: HostModules;
}) {
  const [generation, setGeneration] = useState(0);
  const [renderError, setRenderError] = useState<ShownError | null>(null);
  const loaded = useMemo((): { component: ComponentType } | { error: ShownError } => {
    try {
      return { component: evaluateBundle(source, modules ?? hostModules()) };
    } catch (err) {
      return { error: shown(err, 'load') };
    }
    // generation: a reload evaluates the bundle again.
  }, [source, modules, generation]);
  const error = 'error' in loaded ? loaded.error : renderError;
  const Preview = 'component' in loaded ? loaded.component : null;

  return (
    <View style={{ flex: 1, backgroundColor: '#fff' }} testID="preview-runner">
      <View
        role="toolbar"
        aria-label="Preview"
        style={[styles.row, { padding: 8, backgroundColor: colors.text, justifyContent: 'space-between' }]}
      >
        <Text style={{ color: '#fff', fontWeight: '600', flexShrink: 1 }} numberOfLines={1}>
          {title}
        </Text>
        <View style={[styles.row, { gap: 8 }]}>
          <Button
            label="Reload"
            kind="secondary"
            onPress={() => {
              setRenderError(null);
              setGeneration((g) => g + 1);
            }}
          />
          <Button label="Leave" onPress={onLeave} />
        </View>
      </View>
      <View style={{ flex: 1 }}>
        {error ? (
          <PreviewError error={error} />
        ) : Preview ? (
          <PreviewBoundary key={generation} onError={setRenderError}>
            <Preview />
          </PreviewBoundary>
        ) : null}
      </View>
    </View>
  );
}
