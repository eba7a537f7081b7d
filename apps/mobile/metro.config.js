/* eslint-disable @typescript-eslint/no-require-imports -- Metro loads this file as CommonJS */
const { getDefaultConfig } = require('expo/metro-config');

const config = getDefaultConfig(__dirname);
const resolveRequest = config.resolver.resolveRequest;

// The SDK finds a local agent through a file on disk, in a module it imports only under Node (auto mode, behind a
// check for process.versions.node). The app never runs it: its Node built-ins resolve to an empty module, or Metro
// could not bundle the app for iOS and Android.
config.resolver.resolveRequest = (context, moduleName, platform) => {
  if (
    moduleName.startsWith('node:') &&
    context.originModulePath.includes(`${require('path').sep}sdk${require('path').sep}`)
  ) {
    return { type: 'empty' };
  }
  return (resolveRequest ?? context.resolveRequest)(context, moduleName, platform);
};

module.exports = config;
