/** The HiveSync local agent (Proxy Mode): the Local API IDE plugins route through; see docs/desktop.md. */
export { AGENT_API_PREFIX } from '@hivesync/sdk';
export {
  agentDir,
  startAgent,
  DISCOVERY_FILE,
  MAPPINGS_FILE,
  type RunningAgent,
  type StartAgentOptions,
} from './agent.js';
export { buildAgentApp, type AgentAppDeps } from './app.js';
export {
  appliesExactly,
  applyPatch,
  checkPatch,
  describeClash,
  git,
  PatchError,
  restoreFiles,
  withBaseBlobs,
  workingCopy,
  type AppliedChange,
  type Clash,
  type ClashHunk,
  type GitResult,
  type PatchCheck,
  type PatchErrorCode,
  type PatchOptions,
} from './apply.js';
export { EventsHub, type EventsHubOptions } from './events-hub.js';
export { normalizeRepoUrl } from './git.js';
export { runLocalHealth, versionsCompatible, type LocalHealthDeps } from './health-local.js';
export { gitState, listFiles, normalizeRelativePath } from './local.js';
export { MappingStore } from './mappings.js';
export {
  firstLocation,
  publishPreview,
  type PublishedPreview,
  type PublishInput,
  type PublishStep,
} from './preview.js';
export {
  FileSecretStore,
  KEYRING_SERVICE,
  nativeKeyring,
  openSecretStore,
  writePrivateFile,
  type KeyringEntry,
  type KeyringFactory,
  type SecretStore,
} from './secret-store.js';
export { Session, sessionAccount } from './session.js';
export { AGENT_VERSION } from './version.js';
