/** The app's version (app.json's expo.version), sent when the device registers. */
export const APP_VERSION = '0.1.0';
