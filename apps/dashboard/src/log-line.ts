/** Log lines as the dashboard shows them, from the live stream's frames or the text endpoint. Pure. */

export interface LogLine {
  readonly time: string;
  readonly source: string;
  readonly process: string;
  readonly line: string;
}

export type LogFrame = ({ readonly type: 'line' } & LogLine) | { readonly type: 'missed'; readonly count: number };

/** One websocket text frame; undefined for anything that is not a frame we know. */
export function parseLogFrame(data: string): LogFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    // Not JSON: not a frame of the protocol, so there is nothing to show.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const frame = value as Record<string, unknown>;
  if (frame.type === 'missed' && typeof frame.count === 'number') return { type: 'missed', count: frame.count };
  if (frame.type === 'line' && typeof frame.line === 'string') {
    const text = (key: string): string => (typeof frame[key] === 'string' ? frame[key] : '');
    return { type: 'line', time: text('time'), source: text('source'), process: text('process'), line: frame.line };
  }
  return undefined;
}

const TEXT_LINE = /^(\S+) ([a-z]+)\[([^\]]*)\]: ?(.*)$/s;

/** `2026-11-22T03:07:09.953Z app[web.1]: listening` (GET /apps/{app}/logs). */
export function parseLogText(text: string): LogLine | undefined {
  const match = TEXT_LINE.exec(text);
  if (!match) return undefined;
  const [, time = '', source = '', process = '', line = ''] = match;
  return { time, source, process, line };
}

/** Clock time of a log line, `03:07:09.953`, in UTC as the server wrote it. */
export function logClock(time: string): string {
  const match = /T(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(time);
  return match?.[1] ?? time;
}
