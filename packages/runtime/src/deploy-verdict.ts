/**
 * How a deploy under way stands, decided from what has been observed: pure, with the
 * clock passed in, so every way a deploy can end is a table of cases in a unit test.
 */
export interface DeployObservation {
  readonly version: number;
  /** Web processes the formation asks for, and how many of the target's are up. */
  readonly wantedWeb: number;
  readonly readyWeb: number;
  /** The first thing that sank it: a web process crashed, missed R10, or could not start. */
  readonly failure: string | undefined;
  readonly startedAt: number;
  readonly now: number;
  /** The whole deploy gets the boot timeout (plus a little, so R10 speaks first). */
  readonly deadlineMs: number;
}

export type DeployVerdict =
  | { readonly state: 'waiting' }
  | { readonly state: 'succeeded' }
  | { readonly state: 'failed'; readonly reason: string };

export function judgeDeploy(o: DeployObservation): DeployVerdict {
  if (o.failure !== undefined) return { state: 'failed', reason: o.failure };
  if (o.readyWeb >= o.wantedWeb) return { state: 'succeeded' };
  if (o.now - o.startedAt >= o.deadlineMs) {
    return { state: 'failed', reason: `its web processes were not up within ${String(Math.round(o.deadlineMs / 1000))} seconds` };
  }
  return { state: 'waiting' };
}

/** What the user reads when a release did not go live; it claims a serving release only when there is one. */
export function deployFailureMessage(reason: string, version: number, serving: number | null): string {
  const after = serving === null ? 'and the app has no release running. See `paas logs`.' : `and v${String(serving)} keeps serving. See \`paas logs\`.`;
  return `${reason}: v${String(version)} was not deployed ${after}`;
}
