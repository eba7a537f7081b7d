import {
  createConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { HiveSyncServer } from './server.js';

/**
 * `hivesync-lsp`: the HiveSync language server on stdio. A malformed message (a body that is not JSON, a header
 * without Content-Length) is logged and skipped; an error escaping a handler is logged, never a crash.
 */
export function main(): void {
  const reader = new StreamMessageReader(process.stdin);
  const writer = new StreamMessageWriter(process.stdout);
  const connection = createConnection(ProposedFeatures.all, reader, writer);
  const server = new HiveSyncServer(connection);
  const log = (what: string) => (err: unknown) => {
    try {
      connection.console.error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    } catch {
      process.stderr.write(`hivesync-lsp: ${what}: ${String(err)}\n`);
    }
  };
  reader.onError(log('malformed message ignored'));
  process.on('unhandledRejection', log('unhandled rejection'));
  process.on('uncaughtException', log('uncaught exception'));
  connection.onExit(() => server.dispose());
  connection.listen();
}
