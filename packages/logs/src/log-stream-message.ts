import type { LogEvent } from './log-event.js';

/** What a live subscriber receives: its lines, and how many it missed while it read too slowly. */
export type LogStreamMessage = ({ readonly type: 'line' } & LogEvent) | { readonly type: 'missed'; readonly count: number };

/** A live reader of an app's stream: a `paas logs --tail` websocket, the dashboard's log page. */
export interface LogSink {
  send(message: LogStreamMessage): void;
  /** Bytes sent but not yet taken by the reader. */
  backlog(): number;
}
