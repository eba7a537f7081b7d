/**
 * React components shared by the web app (apps/web) and the desktop app's renderer (apps/desktop): the diff view and
 * suggestion review, Markdown, the error panel, a preview's code and QR code, a notification in a list. Each
 * component imports its own CSS; both apps import `@hivesync/ui/theme.css` first. The components read server data
 * through the SDK client given by HiveSyncClientProvider.
 */
export { aiKeys, useMoveSuggestionMutation, useSuggestionDiffQuery, type SuggestionMove } from './ai-queries.js';
export { HiveSyncClientProvider, useHiveSyncClient } from './client.js';
export {
  COLLAPSE_ABOVE_LINES,
  DiffBody,
  DiffCounts,
  DiffFileView,
  diffAnchor,
  type DiffLayout,
  type HunkControl,
} from './DiffView.js';
export { HIGHLIGHT_MAX_LINES, highlightable, splitRows, type SplitRow } from './diff-rows.js';
export { ErrorPanel } from './ErrorPanel.js';
export { errorWords, type ErrorWords } from './errors.js';
export { formatWhen } from './format.js';
export { Markdown, safeUrl } from './Markdown.js';
export { NotificationItem } from './NotificationItem.js';
export { describeNotification, isStep, STEP_TYPES, type NotificationView } from './notifications.js';
export { STATE_WORDS, cliApplyCommand, gitApplyCommand, hunkKey, patchFileName, patchWithout } from './patch.js';
export { blobPath, encodePath, projectPath } from './paths.js';
export { PreviewCodeBlock, PreviewQr, QR_LEVEL } from './PreviewCode.js';
export { formatCode } from './preview-format.js';
export { viewerUrl } from '@hivesync/sdk';
export { SuggestionReview } from './SuggestionReview.js';
