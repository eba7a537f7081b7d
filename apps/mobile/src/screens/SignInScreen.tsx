import { isHiveSyncError } from '@hivesync/sdk';
import { useState } from 'react';
import { ScrollView, Text } from 'react-native';
import { Banner, Button, Field, styles, Title } from '../components/ui';
import { defaultServerUrl, useSession } from '../state/session';

/** Sign in: the server's URL, email and password. */
export function SignInScreen() {
  const { signIn } = useSession();
  const [server, setServer] = useState(defaultServerUrl());
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (!server.trim() || !email.trim() || !password) {
      setError('Fill in the server, your email and your password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(server, email.trim(), password);
    } catch (err) {
      if (isHiveSyncError(err) && err.code === 'network_error') setError(`Could not reach ${server}.`);
      else if (isHiveSyncError(err) && err.status === 401) setError('Wrong email or password.');
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <ScrollView
      style={styles.screen}
      contentContainerStyle={[styles.content, { maxWidth: 480, width: '100%', alignSelf: 'center' }]}
    >
      <Title>Sign in to HiveSync</Title>
      <Field
        label="Server URL"
        value={server}
        onChangeText={setServer}
        placeholder="https://hivesync.example.com"
        inputMode="url"
      />
      <Field label="Email" value={email} onChangeText={setEmail} inputMode="email" autoComplete="email" />
      <Field
        label="Password"
        value={password}
        onChangeText={setPassword}
        secureTextEntry
        autoComplete="password"
        onSubmitEditing={() => void submit()}
      />
      <Button label={busy ? 'Signing in…' : 'Sign in'} onPress={() => void submit()} disabled={busy} />
      {error && <Banner kind="error">{error}</Banner>}
      <Text style={[styles.muted, { marginTop: 12 }]}>Accounts are created on the web app.</Text>
    </ScrollView>
  );
}
