import { ErrorPanel } from '@hivesync/ui';
import { useLocalHealth } from '../queries.js';

const WORDS = { ok: 'OK', warn: 'Warning', fail: 'Failed' } as const;

/** The agent's health script: server, version, session, deep health, git, and each mapped folder, each with its fix. */
export function HealthView() {
  const health = useLocalHealth();
  return (
    <section>
      <div className="page-head">
        <h1>Health</h1>
        <button type="button" onClick={() => void health.refetch()} disabled={health.isFetching}>
          {health.isFetching ? 'Checking…' : 'Check again'}
        </button>
      </div>
      {health.isError && <ErrorPanel error={health.error} />}
      {health.data && (
        <>
          <p className={`health-summary tone-${health.data.status}`} data-testid="health-summary">
            {health.data.status === 'ok'
              ? 'Everything checked is fine.'
              : health.data.status === 'warn'
                ? 'Something needs a look.'
                : 'Something is broken.'}
          </p>
          <ul className="health-checks" aria-label="Checks">
            {health.data.checks.map((c, i) => (
              <li key={`${c.name}-${c.folder ?? ''}-${i}`} className={`check tone-${c.status}`}>
                <span className={`badge tone-${c.status}`}>{WORDS[c.status]}</span> <strong>{c.message}</strong>
                {c.folder && (
                  <span className="small muted">
                    {' '}
                    (<code>{c.folder}</code>)
                  </span>
                )}
                {c.fix && <p className="fix small">Fix: {c.fix}</p>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
