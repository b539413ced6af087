/** What an app's processes add up to, for the apps list and the overview. Pure. */

export interface DynoState {
  readonly state: string;
}

export interface DynoSummary {
  readonly up: number;
  readonly starting: number;
  readonly crashed: number;
  readonly total: number;
  /** `ok` all up, `warn` some starting, `bad` some crashed, `idle` none. */
  readonly tone: 'ok' | 'warn' | 'bad' | 'idle';
  readonly text: string;
}

export function summarizeDynos(dynos: readonly DynoState[]): DynoSummary {
  const count = (state: string): number => dynos.filter((d) => d.state === state).length;
  const up = count('up');
  const starting = count('starting');
  const crashed = count('crashed');
  const parts = [
    up > 0 ? `${String(up)} up` : '',
    starting > 0 ? `${String(starting)} starting` : '',
    crashed > 0 ? `${String(crashed)} crashed` : '',
  ].filter((part) => part !== '');
  const tone = dynos.length === 0 ? 'idle' : crashed > 0 ? 'bad' : starting > 0 ? 'warn' : 'ok';
  return { up, starting, crashed, total: dynos.length, tone, text: parts.length > 0 ? parts.join(', ') : 'no processes' };
}
