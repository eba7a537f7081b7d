import { isHiveSyncError, type PreviewPlatform } from '@hivesync/sdk';
import { useRef, useState } from 'react';
import { Platform, Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';
import { CAN_SCAN, Scanner } from '../components/Scanner';
import { Banner, Button, Card, colors, Field, styles, Title } from '../components/ui';
import { ago, bytes } from '../lib/format';
import { formatCode, parsePreviewInput } from '../lib/preview-code';
import { PreviewRunner } from '../preview/PreviewRunner';
import { downloadBundle, utf8 } from '../preview/runtime';
import { useConnectivity } from '../state/connectivity';
import { useSession, useSignedIn } from '../state/session';

/** A preview opened in this app session; its bundle is kept in memory so it can be opened again. */
export interface RecentPreview {
  previewId: string;
  label: string;
  size: number;
  openedAt: string;
  source: string;
}

const recent: RecentPreview[] = [];
const RECENT_MAX = 10;

/** The platform this app resolves previews as: the phone's own; on the web export the one chosen in Settings. */
export function usePreviewPlatform(): PreviewPlatform {
  const { settings } = useSession();
  if (Platform.OS === 'ios' || Platform.OS === 'android') return Platform.OS;
  return settings.webPreviewPlatform;
}

const PLATFORM_NAME: Record<PreviewPlatform, string> = { ios: 'iOS', android: 'Android', web: 'web' };
const A_PLATFORM: Record<PreviewPlatform, string> = { ios: 'an iOS', android: 'an Android', web: 'a web' };

/** Why a code was refused, in words; the code is not used up by any of these. */
export function resolveErrorMessage(err: unknown, platform: PreviewPlatform): string {
  if (!isHiveSyncError(err)) return err instanceof Error ? err.message : String(err);
  switch (err.code) {
    case 'preview_platform_mismatch': {
      const other = (err.details as { platform?: PreviewPlatform } | undefined)?.platform;
      return `This code is for ${other ? A_PLATFORM[other] : 'another platform’s'} preview and this app opens ${PLATFORM_NAME[platform]} previews. The code was not used: open it on ${other ? `${A_PLATFORM[other]} device` : 'the right device'}.`;
    }
    case 'not_found':
      return 'No preview has this code. Check it against the one the CLI or the web app shows.';
    case 'preview_token_consumed':
      return 'This code was already used. Publish the preview again for a new code.';
    case 'preview_token_expired':
      return 'This code has expired. Publish the preview again for a new code.';
    case 'network_error':
      return 'The server could not be reached. Check the connection and try again.';
    default:
      return err.message;
  }
}

/**
 * The URL to download a bundle from. On the web export, served with the API on one origin (the server sends no CORS
 * headers), a local-storage download URL on the server's own address is fetched through that origin instead.
 */
export function downloadUrlFor(url: string, serverUrl: string): string {
  if (Platform.OS !== 'web') return url;
  const target = new URL(url);
  const server = new URL(serverUrl);
  if (target.origin !== server.origin && target.pathname.startsWith('/storage/')) {
    return `${server.origin}${target.pathname}${target.search}`;
  }
  return url;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'resolving' }
  | { kind: 'downloading'; fraction: number; size: number }
  | { kind: 'running'; source: string; title: string };

/** Open a preview: type the code or scan it, resolve, download with progress, run. Recent previews below. */
export function PreviewScreen() {
  const { client, serverUrl } = useSignedIn();
  const { setLaunching } = useConnectivity();
  const platform = usePreviewPlatform();
  const [text, setText] = useState('');
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const busy = useRef(false);

  const open = async (input: string) => {
    const parsed = parsePreviewInput(input);
    if (!parsed) {
      setError('Type the 8-character code (such as ABCD-1234) or scan the QR code.');
      return;
    }
    if (busy.current) return;
    busy.current = true;
    setError(null);
    setLaunching(true);
    try {
      setPhase({ kind: 'resolving' });
      const resolved = await client.previews.resolve({ ...parsed, platform });
      setPhase({ kind: 'downloading', fraction: 0, size: resolved.size });
      const data = await downloadBundle(
        { ...resolved, download_url: downloadUrlFor(resolved.download_url, serverUrl) },
        (fraction) => setPhase({ kind: 'downloading', fraction, size: resolved.size }),
      );
      const source = utf8(data);
      const label = 'code' in parsed ? `Preview ${formatCode(parsed.code)}` : 'Preview';
      recent.unshift({
        previewId: resolved.preview_id,
        label,
        size: resolved.size,
        openedAt: new Date().toISOString(),
        source,
      });
      recent.splice(RECENT_MAX);
      setText('');
      setPhase({ kind: 'running', source, title: label });
    } catch (err) {
      setError(resolveErrorMessage(err, platform));
      setPhase({ kind: 'idle' });
    } finally {
      busy.current = false;
      setLaunching(false);
    }
  };

  if (phase.kind === 'running') {
    return (
      <View style={StyleSheet.absoluteFill}>
        <PreviewRunner source={phase.source} title={phase.title} onLeave={() => setPhase({ kind: 'idle' })} />
      </View>
    );
  }

  return (
    <ScrollView style={styles.screen} contentContainerStyle={styles.content}>
      <Title>Open a preview</Title>
      <Text style={[styles.muted, { marginBottom: 12 }]}>
        Type the code that `hivesync preview` or the web app shows{CAN_SCAN ? ', or scan its QR code' : ''}. This app
        opens {PLATFORM_NAME[platform]} previews.
      </Text>
      <Field
        label="Preview code"
        value={text}
        onChangeText={setText}
        placeholder="ABCD-1234"
        autoCapitalize="characters"
        onSubmitEditing={() => void open(text)}
        returnKeyType="go"
      />
      <Button label="Open preview" onPress={() => void open(text)} disabled={phase.kind !== 'idle'} />
      {CAN_SCAN && !scanning && <Button label="Scan QR code" kind="secondary" onPress={() => setScanning(true)} />}
      {scanning && (
        <Scanner
          onScanned={(data) => {
            setScanning(false);
            void open(data);
          }}
          onCancel={() => setScanning(false)}
        />
      )}
      {error && (
        <Banner kind="error" testID="preview-open-error">
          {error}
        </Banner>
      )}
      {phase.kind === 'resolving' && <Text style={styles.muted}>Checking the code…</Text>}
      {phase.kind === 'downloading' && (
        <View
          role="progressbar"
          aria-label="Downloading the bundle"
          aria-valuenow={Math.round(phase.fraction * 100)}
          aria-valuemin={0}
          aria-valuemax={100}
          style={{ marginVertical: 8 }}
        >
          <Text style={styles.muted}>
            Downloading the bundle: {Math.round(phase.fraction * 100)} % of {bytes(phase.size)}
          </Text>
          <View style={{ height: 6, backgroundColor: colors.border, borderRadius: 3, marginTop: 4 }}>
            <View
              style={{
                height: 6,
                width: `${Math.round(phase.fraction * 100)}%`,
                backgroundColor: colors.accent,
                borderRadius: 3,
              }}
            />
          </View>
        </View>
      )}
      <Title level={2}>Recent previews</Title>
      {recent.length === 0 ? (
        <Text style={styles.muted}>None yet in this session.</Text>
      ) : (
        <View role="list" aria-label="Recent previews">
          {recent.map((r) => (
            <Pressable
              key={`${r.previewId}-${r.openedAt}`}
              role="listitem"
              aria-label={`Open ${r.label} again`}
              onPress={() => setPhase({ kind: 'running', source: r.source, title: r.label })}
            >
              <Card>
                <Text style={{ fontWeight: '600', color: colors.text }}>{r.label}</Text>
                <Text style={styles.muted}>
                  {bytes(r.size)} · opened {ago(r.openedAt)}
                </Text>
              </Card>
            </Pressable>
          ))}
        </View>
      )}
    </ScrollView>
  );
}
