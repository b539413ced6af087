import { checkProcessType } from '@paas/core';

import { usageError } from './cli-error.js';

/**
 * A process type (`web`) or one process (`web.1`, `run.1234`), as ps:restart,
 * ps:stop and logs --ps take them; refused before any request when it is neither.
 */
export function checkProcessSelector(arg: string): string {
  const [type = '', index, ...rest] = arg.split('.');
  const indexOk = index === undefined || /^[1-9]\d{0,5}$/.test(index);
  if (checkProcessType(type) !== undefined || !indexOk || rest.length > 0) {
    throw usageError(`${JSON.stringify(arg)} is neither a process type (web) nor a process (web.1).`);
  }
  return arg;
}

/** `web.1 process`, `web processes`, `all processes`: what an action line says it acts on. */
export function describeSelection(selector: string | undefined): string {
  if (selector === undefined) return 'all processes';
  return selector.includes('.') ? `${selector} process` : `${selector} processes`;
}
