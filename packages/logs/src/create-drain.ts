import type { DrainOptions } from './drain-options.js';
import { parseDrainUrl } from './drain-url.js';
import type { Drain, DrainReports, DrainTarget } from './drain.js';
import { createHttpDrain } from './http-drain.js';
import { createSyslogDrain } from './syslog-drain.js';

/** The drain for a target's URL scheme; throws `invalid_params` for a URL that fails validation. */
export function createDrain(target: DrainTarget, reports: DrainReports, options: DrainOptions = {}): Drain {
  const { scheme } = parseDrainUrl(target.url, options.targets);
  return scheme === 'syslog' || scheme === 'syslog+tls'
    ? createSyslogDrain(target, reports, options)
    : createHttpDrain(target, reports, options);
}
