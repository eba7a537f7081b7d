import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AutoscalingRule, PoolScale } from '@hivesync/sdk';
import { ErrorPanel } from '../../components/ErrorPanel.js';
import { CursorPager, formatAge, StateBadge } from '../../components/admin/bits.js';
import { useTitle } from '../../components/Title.js';
import { formatWhen } from '../../lib/format.js';
import { blankRule, fromDraft, LIMITS, toDraft, validateRules, type DraftRule, type NumberField } from './rules.js';
import {
  ADMIN_PAGE_SIZE,
  useAutoscalingRulesQuery,
  useDecisionsQuery,
  usePutRulesMutation,
  useScalePoolMutation,
} from '../../queries/admin.js';

/**
 * /admin/autoscaling?cursor=: the scaling rules (one per pool, checked before sending, saved all at once), each pool
 * held at a count by hand for a while, and the evaluator's decision log (newest first, asked again every few seconds).
 */
export function AutoscalingPage() {
  useTitle('Autoscaling · Admin');
  const rules = useAutoscalingRulesQuery();
  return (
    <section>
      <h1>Autoscaling</h1>
      {rules.isPending && <p aria-live="polite">Loading the rules…</p>}
      {rules.isError && <ErrorPanel error={rules.error} title="Could not read the scaling rules" />}
      {rules.data && (
        <>
          <p>
            Scaling target: <strong>{rules.data.target}</strong>
            {rules.data.target === 'log' && ' (decisions are recorded; nothing is started or stopped)'}. See
            OPERATIONS.md for the <code>exec</code> and Kubernetes targets, or scaling with KEDA on{' '}
            <code>/metrics</code>.
          </p>
          <RulesEditor rules={rules.data.rules} pools={rules.data.pools} />
          <ManualScale pools={rules.data.pools} rules={rules.data.rules} />
        </>
      )}
      <DecisionLog />
    </section>
  );
}

/** The rules form: one group of fields per pool; Save sends every rule (PUT), after checking each field. */
function RulesEditor({ rules, pools }: { rules: AutoscalingRule[]; pools: PoolScale[] }) {
  const save = usePutRulesMutation();
  // The form edits a draft; until the first edit it shows the server's rules (which refresh every few seconds).
  const [draft, setDraft] = useState<DraftRule[] | null>(null);
  const [checked, setChecked] = useState(false);
  const [saved, setSaved] = useState(false);
  const shown = draft ?? rules.map(toDraft);
  const problems = validateRules(shown);
  const invalid = Object.keys(problems).length > 0;

  const edit = (key: string, change: Partial<DraftRule>) => {
    setSaved(false);
    setDraft(shown.map((r) => (r.key === key ? { ...r, ...change } : r)));
  };
  const unruled = pools.map((p) => p.pool).filter((p) => !shown.some((r) => r.pool === p));

  return (
    <form
      className="admin-form"
      aria-labelledby="rules-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setChecked(true);
        if (invalid) return;
        save.mutate(shown.map(fromDraft), {
          onSuccess: () => {
            setDraft(null);
            setChecked(false);
            setSaved(true);
          },
        });
      }}
    >
      <h2 id="rules-title">Rules</h2>
      {shown.length === 0 && <p>No rule: no pool is scaled automatically.</p>}
      {shown.map((r) => {
        const p = checked ? (problems[r.key] ?? {}) : {};
        const field = (name: NumberField) => {
          const id = `${r.key}-${name}`;
          return (
            <div key={name} className="field">
              <label htmlFor={id}>{LIMITS[name].label}</label>
              <input
                id={id}
                type="number"
                inputMode="numeric"
                min={LIMITS[name].min}
                max={LIMITS[name].max}
                value={r[name]}
                aria-invalid={p[name] ? true : undefined}
                aria-describedby={p[name] ? `${id}-error` : undefined}
                onChange={(e) => edit(r.key, { [name]: e.target.value })}
              />
              {p[name] && (
                <span id={`${id}-error`} className="field-error small">
                  {p[name]}
                </span>
              )}
            </div>
          );
        };
        return (
          <fieldset key={r.key} data-pool={r.pool}>
            <legend>Pool {r.pool || '(new)'}</legend>
            <div className="row">
              <div className="field">
                <label htmlFor={`${r.key}-pool`}>Pool</label>
                <input
                  id={`${r.key}-pool`}
                  value={r.pool}
                  maxLength={63}
                  aria-invalid={p.pool ? true : undefined}
                  aria-describedby={p.pool ? `${r.key}-pool-error` : undefined}
                  onChange={(e) => edit(r.key, { pool: e.target.value })}
                />
                {p.pool && (
                  <span id={`${r.key}-pool-error`} className="field-error small">
                    {p.pool}
                  </span>
                )}
              </div>
              {field('min_workers')}
              {field('max_workers')}
            </div>
            <div className="row">
              {field('scale_up_oldest_seconds')}
              {field('scale_up_depth')}
              {field('scale_down_idle_minutes')}
            </div>
            <div className="row">
              <label className="check">
                <input
                  type="checkbox"
                  checked={r.enabled}
                  onChange={(e) => edit(r.key, { enabled: e.target.checked })}
                />
                Enabled
              </label>
              <button
                type="button"
                className="small"
                onClick={() => {
                  setSaved(false);
                  setDraft(shown.filter((x) => x.key !== r.key));
                }}
              >
                Remove rule<span className="visually-hidden"> for pool {r.pool}</span>
              </button>
            </div>
          </fieldset>
        );
      })}
      <div className="row">
        <button
          type="button"
          onClick={() => {
            setSaved(false);
            setDraft([...shown, blankRule(unruled[0] ?? (shown.length === 0 ? 'default' : ''))]);
          }}
        >
          Add a rule
        </button>
        <button type="submit" className="primary" disabled={save.isPending || draft === null}>
          {save.isPending ? 'Saving…' : 'Save rules'}
        </button>
        {draft !== null && (
          <button
            type="button"
            onClick={() => {
              setDraft(null);
              setChecked(false);
            }}
          >
            Discard changes
          </button>
        )}
      </div>
      <p role="status" className="small">
        {checked && invalid
          ? 'Some fields need a fix: see the messages above.'
          : saved
            ? 'Rules saved: the next evaluation uses them.'
            : ''}
      </p>
      {save.isError && <ErrorPanel error={save.error} title="Could not save the rules" />}
    </form>
  );
}

/** Hold a pool at a count for a while (POST /admin/pools/{pool}/scale), overriding its rule. */
function ManualScale({ pools, rules }: { pools: PoolScale[]; rules: AutoscalingRule[] }) {
  const scale = useScalePoolMutation();
  const names = [...new Set([...pools.map((p) => p.pool), ...rules.map((r) => r.pool)])];
  const [pool, setPool] = useState('');
  const [desired, setDesired] = useState('1');
  const [minutes, setMinutes] = useState('60');
  const chosen = pool || names[0] || 'default';
  const desiredN = Number(desired);
  const minutesN = Number(minutes);
  const desiredBad = !Number.isInteger(desiredN) || desiredN < 0 || desiredN > 1000 || desired.trim() === '';
  const minutesBad = !Number.isInteger(minutesN) || minutesN < 1 || minutesN > 10_080 || minutes.trim() === '';
  return (
    <form
      className="admin-form"
      aria-labelledby="manual-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (desiredBad || minutesBad) return;
        scale.mutate({ pool: chosen, body: { desired: desiredN, minutes: minutesN } });
      }}
    >
      <h2 id="manual-title">Manual scaling</h2>
      <div className="admin-table-wrap">
        <table className="admin-table">
          <caption className="visually-hidden">Each pool's workers and desired count</caption>
          <thead>
            <tr>
              <th scope="col">Pool</th>
              <th scope="col" className="num">
                Live workers
              </th>
              <th scope="col" className="num">
                Desired
              </th>
              <th scope="col">Held by hand</th>
            </tr>
          </thead>
          <tbody>
            {pools.length === 0 && (
              <tr>
                <td colSpan={4}>No pool has a worker or a decision yet.</td>
              </tr>
            )}
            {pools.map((p) => (
              <tr key={p.pool}>
                <th scope="row">{p.pool}</th>
                <td className="num">{p.live_workers}</td>
                <td className="num">{p.desired ?? '–'}</td>
                <td>{p.manual ? `at ${p.manual.desired} until ${formatWhen(p.manual.until)}` : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <label>
          Pool
          <select value={chosen} onChange={(e) => setPool(e.target.value)}>
            {(names.length > 0 ? names : ['default']).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <div className="field">
          <label htmlFor="manual-desired">Workers</label>
          <input
            id="manual-desired"
            type="number"
            min={0}
            max={1000}
            value={desired}
            aria-invalid={desiredBad || undefined}
            aria-describedby={desiredBad ? 'manual-desired-error' : undefined}
            onChange={(e) => setDesired(e.target.value)}
          />
          {desiredBad && (
            <span id="manual-desired-error" className="field-error small">
              A whole number from 0 to 1000.
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="manual-minutes">For minutes</label>
          <input
            id="manual-minutes"
            type="number"
            min={1}
            max={10_080}
            value={minutes}
            aria-invalid={minutesBad || undefined}
            aria-describedby={minutesBad ? 'manual-minutes-error' : undefined}
            onChange={(e) => setMinutes(e.target.value)}
          />
          {minutesBad && (
            <span id="manual-minutes-error" className="field-error small">
              A whole number from 1 to 10080 (a week).
            </span>
          )}
        </div>
        <button type="submit" disabled={scale.isPending || desiredBad || minutesBad}>
          {scale.isPending ? 'Scaling…' : 'Hold at this count'}
        </button>
      </div>
      <p role="status" className="small">
        {scale.isSuccess &&
          `Pool ${scale.data.pool} is held at ${scale.data.manual?.desired ?? scale.data.desired} workers${scale.data.manual ? ` until ${formatWhen(scale.data.manual.until)}` : ''}.`}
      </p>
      {scale.isError && <ErrorPanel error={scale.error} title="Could not scale the pool" />}
    </form>
  );
}

/** The decision log, newest first, a page at a time (the server's cursor in the address), live. */
function DecisionLog() {
  const [params] = useSearchParams();
  const cursor = params.get('cursor');
  const decisions = useDecisionsQuery({ limit: ADMIN_PAGE_SIZE, ...(cursor && { cursor }) });
  return (
    <>
      <h2 id="decisions-title">Decision log</h2>
      {decisions.isPending && <p aria-live="polite">Loading decisions…</p>}
      {decisions.isError && <ErrorPanel error={decisions.error} title="Could not read the decision log" />}
      {decisions.data && (
        <>
          <div className="admin-table-wrap">
            <table className="admin-table" aria-labelledby="decisions-title" data-testid="decisions">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Pool</th>
                  <th scope="col">By</th>
                  <th scope="col">Saw</th>
                  <th scope="col" className="num">
                    Workers
                  </th>
                  <th scope="col">Why</th>
                  <th scope="col">Carried out</th>
                </tr>
              </thead>
              <tbody>
                {decisions.data.decisions.length === 0 && (
                  <tr>
                    <td colSpan={7}>No decision yet.</td>
                  </tr>
                )}
                {decisions.data.decisions.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">{formatWhen(d.at)}</th>
                    <td>{d.pool}</td>
                    <td>{d.source === 'rule' ? 'Rule' : 'By hand'}</td>
                    <td className="small">
                      {d.input.waiting} waiting, {d.input.running} running, oldest{' '}
                      {formatAge(d.input.oldest_waiting_seconds)}, {d.input.live_workers} live
                      {d.input.idle_minutes !== null && `, idle ${d.input.idle_minutes} min`}
                    </td>
                    <td className="num">
                      {d.previous ?? '–'} → {d.desired}
                    </td>
                    <td className="wrap">{d.reason}</td>
                    <td>
                      <StateBadge
                        state={d.applied ? 'ok' : 'fail'}
                        label={d.applied ? `yes (${d.target})` : `no (${d.target})`}
                      />
                      {d.error && <span className="small"> {d.error}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <CursorPager label="Pages of decisions" nextCursor={decisions.data.next_cursor} />
        </>
      )}
    </>
  );
}
