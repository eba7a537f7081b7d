import { Text } from 'react-native';
import { styles } from './ui';

/** On the web export there is no scanner: the code is typed (see docs/mobile.md). */
export function Scanner(_props: { onScanned(text: string): void; onCancel(): void }) {
  return <Text style={styles.muted}>Scanning needs the phone app: type the code.</Text>;
}

/** Whether this platform can scan (a phone's camera). */
export const CAN_SCAN = false;
