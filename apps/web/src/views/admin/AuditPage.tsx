import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AuditQuery } from '@hivesync/sdk';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { CursorPager } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { formatBytes, formatWhen } from '../../lib/format.js';
import { ADMIN_PAGE_SIZE, useAuditQuery } from '../../queries/admin.js';
import { useClient } from '../../session/session.js';

/** The filters of the audit log, as the address and the form hold them. */
const FIELDS = ['q', 'actor', 'action', 'project_id', 'from', 'to'] as const;
type Field = (typeof FIELDS)[number];
/** The most rows one CSV export holds (the API's largest page). */
const CSV_ROWS = 500;

/** A `datetime-local` value (the browser's time zone) as an ISO time, or undefined when empty or not a time. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** The API query of the address's filters. */
function auditQuery(params: URLSearchParams, limit: number): AuditQuery {
  const get = (f: Field) => params.get(f)?.trim() || undefined;
  const from = localToIso(get('from') ?? '');
  const to = localToIso(get('to') ?? '');
  return {
    limit,
    ...(get('q') && { q: get('q') }),
    ...(get('actor') && { actor: get('actor') }),
    ...(get('action') && { action: get('action') }),
    ...(get('project_id') && { project_id: get('project_id') }),
    ...(from && { from }),
    ...(to && { to }),
  };
}

/**
 * /admin/audit?q=&actor=&action=&project_id=&from=&to=&cursor=: the audit log, newest first, searched (full text) and
 * filtered on the server, a page at a time; the matching rows export as CSV.
 */
export function AuditPage() {
  useTitle('Audit · Admin');
  const [params, setParams] = useSearchParams();
  const cursor = params.get('cursor');
  const query = { ...auditQuery(params, ADMIN_PAGE_SIZE), ...(cursor && { cursor }) };
  const audit = useAuditQuery(query);
  const [form, setForm] = useState<Record<Field, string>>(
    () => Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as Record<Field, string>,
  );

  return (
    <section>
      <h1>Audit log</h1>
      <form
        className="admin-filters"
        role="search"
        aria-label="Search the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          const next = new URLSearchParams();
          for (const f of FIELDS) if (form[f].trim()) next.set(f, form[f].trim());
          setParams(next);
        }}
      >
        <label>
          Text
          <input
            type="search"
            value={form.q}
            maxLength={200}
            onChange={(e) => setForm({ ...form, q: e.target.value })}
          />
        </label>
        <label>
          Actor (email or id)
          <input value={form.actor} maxLength={254} onChange={(e) => setForm({ ...form, actor: e.target.value })} />
        </label>
        <label>
          Action (or prefix.*)
          <input value={form.action} maxLength={100} onChange={(e) => setForm({ ...form, action: e.target.value })} />
        </label>
        <label>
          Project id
          <input value={form.project_id} onChange={(e) => setForm({ ...form, project_id: e.target.value })} />
        </label>
        <label>
          From
          <input type="datetime-local" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          To
          <input type="datetime-local" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <button type="submit">Search</button>
      </form>
      <CsvExport query={auditQuery(params, CSV_ROWS)} />
      {audit.isPending && <p aria-live="polite">Loading the audit log…</p>}
      {audit.isError && <ErrorPanel error={audit.error} title="Could not read the audit log" />}
      {audit.data && (
        <>
          <div className="admin-table-wrap">
            <table className="admin-table" data-testid="audit" aria-busy={audit.isFetching}>
              <caption className="visually-hidden">Audit log, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Project</th>
                  <th scope="col">IP</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.entries.length === 0 && (
                  <tr>
                    <td colSpan={7}>No entry matches.</td>
                  </tr>
                )}
                {audit.data.entries.map((e) => (
                  <tr key={e.id}>
                    <th scope="row">{formatWhen(e.at)}</th>
                    <td className="wrap">{e.actor_email ?? e.actor_id ?? 'system'}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td className="wrap small">{e.target_type ? `${e.target_type} ${e.target_id ?? ''}` : ''}</td>
                    <td className="wrap small">{e.project_id ?? ''}</td>
                    <td>{e.ip ?? ''}</td>
                    <td className="wrap small">
                      {Object.keys(e.details).length > 0 && <code>{JSON.stringify(e.details)}</code>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager label="Pages of the audit log" nextCursor={audit.data.next_cursor} />
        </>
      )}
    </section>
  );
}

/**
 * "Export as CSV": the server writes the CSV (`?format=csv`, up to CSV_ROWS rows of the current filters); the app
 * fetches it with the session's token (a plain link could not carry it) and offers it as a download link.
 */
function CsvExport({ query }: { query: AuditQuery }) {
  const client = useClient();
  const [state, setState] = useState<{ href: string; bytes: number } | { error: unknown } | 'busy' | null>(null);
  const key = JSON.stringify(query);
  // New filters make the previous file stale.
  useEffect(() => setState(null), [key]);
  useEffect(() => {
    if (state && typeof state === 'object' && 'href' in state) {
      const href = state.href;
      return () => URL.revokeObjectURL(href);
    }
  }, [state]);
  const run = async () => {
    setState('busy');
    try {
      const csv = await client.admin.auditCsv(query);
      const blob = new Blob([csv], { type: 'text/csv' });
      setState({ href: URL.createObjectURL(blob), bytes: blob.size });
    } catch (error) {
      setState({ error });
    }
  };
  return (
    <div className="admin-filters">
      <button type="button" disabled={state === 'busy'} onClick={() => void run()}>
        {state === 'busy' ? 'Exporting…' : 'Export as CSV'}
      </button>
      {state && typeof state === 'object' && 'href' in state && (
        <a href={state.href} download="hivesync-audit.csv">
          Download hivesync-audit.csv ({formatBytes(state.bytes)}: the newest {CSV_ROWS} matching entries at most)
        </a>
      )}
      {state && typeof state === 'object' && 'error' in state && (
        <ErrorPanel error={state.error} title="Could not export the audit log" />
      )}
    </div>
  );
}
