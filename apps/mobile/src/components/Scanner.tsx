import { CameraView, useCameraPermissions } from 'expo-camera';
import { useRef } from 'react';
import { Text, View } from 'react-native';
import { Button, styles } from './ui';

/** The QR scanner (expo-camera): calls onScanned once with the first QR code's text. */
export function Scanner({ onScanned, onCancel }: { onScanned(text: string): void; onCancel(): void }) {
  const [permission, requestPermission] = useCameraPermissions();
  const done = useRef(false);
  if (!permission) return null;
  if (!permission.granted) {
    return (
      <View>
        <Text style={styles.muted}>HiveSync needs the camera to scan a preview's QR code.</Text>
        <Button label="Allow the camera" onPress={() => void requestPermission()} />
        <Button label="Type the code instead" kind="secondary" onPress={onCancel} />
      </View>
    );
  }
  return (
    <View style={{ height: 320, borderRadius: 12, overflow: 'hidden' }}>
      <CameraView
        style={{ flex: 1 }}
        facing="back"
        barcodeScannerSettings={{ barcodeTypes: ['qr'] }}
        onBarcodeScanned={({ data }) => {
          if (done.current) return;
          done.current = true;
          onScanned(data);
        }}
      />
      <Button label="Cancel scanning" kind="secondary" onPress={onCancel} />
    </View>
  );
}

/** Whether this platform can scan (a phone's camera). */
export const CAN_SCAN = true;
