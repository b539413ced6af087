/** What an add-on's backups come to, in one line for the Resources page. Pure. */

export interface BackupState {
  readonly name: string;
  readonly status: 'running' | 'completed' | 'failed';
  readonly verified: { readonly tables: number; readonly rows: number } | null;
}

export interface BackupSummary {
  /** `ok` the newest finished one verified, `bad` it failed, `warn` one running, `idle` none. */
  readonly tone: 'ok' | 'warn' | 'bad' | 'idle';
  readonly text: string;
}

const plural = (n: number, word: string): string => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

/** `backups` newest first, as the API lists them. */
export function summarizeBackups(backups: readonly BackupState[]): BackupSummary {
  if (backups.length === 0) return { tone: 'idle', text: 'no backups' };
  const running = backups.find((b) => b.status === 'running');
  const last = backups.find((b) => b.status !== 'running');
  const total = plural(backups.length, 'backup');
  if (!last) return { tone: 'warn', text: `${running?.name ?? ''} running · ${total}` };
  const verdict =
    last.status === 'failed'
      ? `${last.name} failed`
      : last.verified
        ? `${last.name} verified: ${plural(last.verified.tables, 'table')}, ${plural(last.verified.rows, 'row')}`
        : `${last.name} not verified`;
  const tone = last.status === 'failed' || !last.verified ? 'bad' : running ? 'warn' : 'ok';
  return { tone, text: `${verdict}${running ? ` · ${running.name} running` : ''} · ${total}` };
}
