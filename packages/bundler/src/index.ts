export { buildBundle, type Bundle, type BundleInput, type BundleManifest, type BuildOptions } from './build.js';
export { BundleError, isBundleError, type BundleErrorCode } from './errors.js';
export { findEntry, isComponentEntry, resolveExtensions, SOURCE_EXTENSIONS, type FoundEntry } from './entry.js';
export { escapeInlineScript, htmlDocument } from './html.js';
