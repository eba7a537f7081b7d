import type { AuditEntry } from '@hivesync/core';

const COLUMNS = [
  'id',
  'at',
  'actor_id',
  'actor_email',
  'action',
  'target_type',
  'target_id',
  'project_id',
  'ip',
  'details',
] as const;

/**
 * Audit entries as CSV (RFC 4180: quoted where needed, CRLF line ends), details as JSON. A cell that a spreadsheet
 * would run as a formula (starting with =, +, - or @) is prefixed with a single quote.
 */
export function auditCsv(entries: AuditEntry[]): string {
  const lines = [COLUMNS.join(',')];
  for (const e of entries) {
    lines.push(COLUMNS.map((c) => cell(c === 'details' ? JSON.stringify(e.details) : (e[c] ?? ''))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
