import type { PreviewPlatform } from '@hivesync/sdk';

/**
 * What packages/bundler takes from @hivesync/core at run time, without core's zod schemas (450 KB the extension
 * would otherwise carry): build.mjs points the bundler's `@hivesync/core` import here. A test keeps it equal to
 * core's.
 */
export const BUNDLE_CONTENT_TYPES: Record<PreviewPlatform, string> = {
  web: 'text/html; charset=utf-8',
  ios: 'application/javascript',
  android: 'application/javascript',
};
