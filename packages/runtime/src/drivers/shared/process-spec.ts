import { CONFIG_KEY_PATTERN, checkProcessType, invalidParams, isAppName } from '@paas/core';

import type { OneOffSpec, ProcessSpec } from '../../driver.js';

/** Checks what the drivers put into paths, container names and environments. */
export function checkProcessSpec(spec: ProcessSpec): void {
  const typeProblem = checkProcessType(spec.type);
  if (typeProblem) throw invalidParams(`Invalid process type ${JSON.stringify(spec.type)}: ${typeProblem}.`);
  if (!Number.isSafeInteger(spec.index) || spec.index < 1) throw invalidParams(`Invalid process index ${String(spec.index)}.`);
  checkCommon(spec);
}

export function checkOneOffSpec(spec: OneOffSpec): void {
  if (!/^[A-Za-z0-9_-]+\.[0-9]+$/.test(spec.name)) throw invalidParams(`Invalid one-off name ${JSON.stringify(spec.name)}.`);
  checkCommon(spec);
}

function checkCommon(spec: Omit<ProcessSpec, 'type' | 'index'>): void {
  if (!isAppName(spec.app)) throw invalidParams(`Invalid app name ${JSON.stringify(spec.app)}.`);
  if (!Number.isSafeInteger(spec.release) || spec.release < 0) throw invalidParams(`Invalid release ${String(spec.release)}.`);
  if (!/^[0-9a-f]{64}$/.test(spec.slug.checksum)) throw invalidParams('A slug checksum is 64 lowercase hex digits (sha256).');
  if (!(spec.memoryMb > 0)) throw invalidParams(`Invalid memory limit ${String(spec.memoryMb)} MiB.`);
  if (spec.command.includes('\0')) throw invalidParams('A command cannot hold a NUL byte.');
  for (const [key, value] of Object.entries(spec.env)) {
    if (!CONFIG_KEY_PATTERN.test(key)) throw invalidParams(`Invalid environment variable name ${JSON.stringify(key)}.`);
    if (value.includes('\0')) throw invalidParams(`The value of ${key} holds a NUL byte.`);
  }
}

/** `web.1` */
export function processName(spec: Pick<ProcessSpec, 'type' | 'index'>): string {
  return `${spec.type}.${String(spec.index)}`;
}
