export { MAX_LINE_BYTES, formatLogLine } from './log-event.js';
export type { LogEvent, LogSource } from './log-event.js';
export type { Drain, DrainReports, DrainStats, DrainTarget } from './drain.js';
