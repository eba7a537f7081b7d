import { errorWords } from './errors.js';

/** A failure in words: the server's message, its code and the request id to quote. */
export function ErrorPanel({ error, title }: { error: unknown; title?: string }) {
  const words = errorWords(error);
  return (
    <div className="error-panel" role="alert">
      <h2>{title ?? words.title}</h2>
      <p>{words.message}</p>
      {words.code && (
        <p className="muted small">
          Error code <code>{words.code}</code>
          {words.requestId && (
            <>
              , request id <code>{words.requestId}</code>
            </>
          )}
        </p>
      )}
    </div>
  );
}
