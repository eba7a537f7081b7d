import type { ReactNode } from 'react';
import { ActivityIndicator, Pressable, StyleSheet, Text, TextInput, View, type TextInputProps } from 'react-native';

/** The app's few colours (light; the preview runs in its own colours). */
export const colors = {
  bg: '#f6f7f9',
  card: '#ffffff',
  text: '#1b1f24',
  muted: '#57606a',
  border: '#d0d7de',
  accent: '#0a58ca',
  danger: '#b42318',
  dangerBg: '#fdecea',
  warnBg: '#fff4ce',
  add: '#e6ffec',
  del: '#ffebe9',
};

/** A heading. */
export function Title({ children, level = 1 }: { children: ReactNode; level?: 1 | 2 }) {
  return (
    <Text role="heading" aria-level={level} style={level === 1 ? styles.h1 : styles.h2}>
      {children}
    </Text>
  );
}

/** A pressable button with a text label (its accessible name). */
export function Button({
  label,
  onPress,
  kind = 'primary',
  disabled,
  testID,
}: {
  label: string;
  onPress: () => void;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  testID?: string;
}) {
  return (
    <Pressable
      role="button"
      accessibilityRole="button"
      aria-label={label}
      aria-disabled={disabled}
      disabled={disabled}
      onPress={onPress}
      testID={testID}
      style={({ pressed }) => [
        styles.button,
        kind === 'secondary' && styles.buttonSecondary,
        kind === 'danger' && styles.buttonDanger,
        (pressed || disabled) && { opacity: 0.6 },
      ]}
    >
      <Text style={[styles.buttonText, kind === 'secondary' && { color: colors.accent }]}>{label}</Text>
    </Pressable>
  );
}

/** A labelled text field (the label is its accessible name). */
export function Field({ label, ...props }: TextInputProps & { label: string }) {
  return (
    <View style={styles.field}>
      <Text style={styles.label}>{label}</Text>
      <TextInput
        aria-label={label}
        accessibilityLabel={label}
        placeholderTextColor={colors.muted}
        autoCapitalize="none"
        autoCorrect={false}
        style={styles.input}
        {...props}
      />
    </View>
  );
}

/** A message the user must see: an error (role alert) or a notice. */
export function Banner({
  kind,
  children,
  testID,
}: {
  kind: 'error' | 'warning';
  children: ReactNode;
  testID?: string;
}) {
  return (
    <View
      role="alert"
      testID={testID}
      style={[styles.banner, kind === 'error' ? styles.bannerError : styles.bannerWarn]}
    >
      <Text style={{ color: kind === 'error' ? colors.danger : colors.text }}>{children}</Text>
    </View>
  );
}

/** A spinner with what is loading. */
export function Loading({ what }: { what: string }) {
  return (
    <View style={styles.row} aria-busy>
      <ActivityIndicator color={colors.accent} />
      <Text style={{ color: colors.muted, marginLeft: 8 }}>Loading {what}…</Text>
    </View>
  );
}

/** A card around a list row or a section. */
export function Card({ children, testID }: { children: ReactNode; testID?: string }) {
  return (
    <View style={styles.card} testID={testID}>
      {children}
    </View>
  );
}

export const styles = StyleSheet.create({
  h1: { fontSize: 24, fontWeight: '700', color: colors.text, marginBottom: 12 },
  h2: { fontSize: 18, fontWeight: '600', color: colors.text, marginVertical: 8 },
  button: {
    backgroundColor: colors.accent,
    paddingHorizontal: 14,
    paddingVertical: 10,
    borderRadius: 8,
    alignItems: 'center',
    marginVertical: 4,
  },
  buttonSecondary: { backgroundColor: 'transparent', borderWidth: 1, borderColor: colors.accent },
  buttonDanger: { backgroundColor: colors.danger },
  buttonText: { color: '#fff', fontWeight: '600', fontSize: 15 },
  field: { marginBottom: 12 },
  label: { color: colors.text, fontWeight: '600', marginBottom: 4 },
  input: {
    borderWidth: 1,
    borderColor: colors.border,
    borderRadius: 8,
    paddingHorizontal: 10,
    paddingVertical: 8,
    fontSize: 16,
    backgroundColor: colors.card,
    color: colors.text,
  },
  banner: { padding: 10, borderRadius: 8, marginVertical: 8 },
  bannerError: { backgroundColor: colors.dangerBg },
  bannerWarn: { backgroundColor: colors.warnBg },
  row: { flexDirection: 'row', alignItems: 'center' },
  card: {
    backgroundColor: colors.card,
    borderRadius: 10,
    borderWidth: 1,
    borderColor: colors.border,
    padding: 12,
    marginBottom: 8,
  },
  muted: { color: colors.muted },
  screen: { flex: 1, backgroundColor: colors.bg },
  content: { padding: 16 },
  mono: { fontFamily: 'monospace', fontSize: 13 },
});
