/** HiveSync's code search index; see docs/REPOS.md. */
export { FORMAT_VERSION as SEARCH_INDEX_FORMAT_VERSION, IndexFormatError } from './format.js';
export { type GitSource } from './git.js';
export { LANGUAGES, type Language, languageOf, parseLanguage } from './language.js';
export { type LineMatch, SearchQueryError } from './matcher.js';
export { type TrigramQuery, literalQuery, regexpQuery } from './query-plan.js';
export {
  IndexMissingError,
  type IndexReport,
  SearchIndex,
  type SearchIndexOptions,
  type SearchMatch,
  type SearchPage,
  type SearchQuery,
} from './search-index.js';
export { PageCache } from './segment-reader.js';
export { SearchPool } from './search-pool.js';
