/** HiveSync's code search index; see docs/REPOS.md. */
export const SEARCH_INDEX_FORMAT_VERSION = 1;
