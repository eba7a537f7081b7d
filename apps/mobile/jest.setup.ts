import { jest } from '@jest/globals';
import { configure } from '@testing-library/react-native';

// react-native-safe-area-context renders nothing until the native side reports the insets: its own mock does.
jest.mock(
  'react-native-safe-area-context',
  () => jest.requireActual<{ default: unknown }>('react-native-safe-area-context/jest/mock').default,
);

// A cold first run (Babel transforming React Native) can take seconds before the first screen: wait up to 10 s.
configure({ asyncUtilTimeout: 10_000 });
