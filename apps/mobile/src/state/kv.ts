import * as SecureStore from 'expo-secure-store';

/** Where the session is kept on this platform (said in Settings → About). */
export const KV_BACKEND = 'the device keychain/keystore (expo-secure-store)';

/** A small string store for the session: the platform's secure store on iOS and Android. */
export const kv = {
  get: (key: string): Promise<string | null> => SecureStore.getItemAsync(key),
  set: (key: string, value: string): Promise<void> => SecureStore.setItemAsync(key, value),
  remove: (key: string): Promise<void> => SecureStore.deleteItemAsync(key),
};
