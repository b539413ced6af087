import { summarize, type Summary } from './stats.js';

/** Whether a figure meets the bar, and the bar in words. */
export interface Bar {
  readonly text: string;
  readonly met: boolean;
}

/** One row of the table: a measured figure, optionally beside a baseline taken in the same run. */
export interface Figure {
  readonly benchmark: string;
  readonly name: string;
  readonly runtime: 'local' | 'docker' | 'swarm' | '-';
  readonly unit: string;
  readonly value: Summary;
  readonly baseline?: { readonly name: string; readonly value: Summary };
  /** value.median / baseline.median. */
  readonly ratio?: number;
  readonly bar?: Bar;
  readonly note?: string;
}

export interface FigureInput {
  readonly benchmark: string;
  readonly name: string;
  readonly runtime: Figure['runtime'];
  readonly unit: string;
  readonly runs: readonly number[];
  readonly baseline?: { readonly name: string; readonly runs: readonly number[] };
  /** Decides the bar from the summaries; omitted when the issue sets none for this figure. */
  readonly bar?: (value: Summary, baseline: Summary | undefined) => Bar;
  readonly note?: string;
}

export function figure(input: FigureInput): Figure {
  const value = summarize(input.runs);
  const baseline = input.baseline ? { name: input.baseline.name, value: summarize(input.baseline.runs) } : undefined;
  const ratio = baseline && baseline.value.median !== 0 ? value.median / baseline.value.median : undefined;
  return {
    benchmark: input.benchmark,
    name: input.name,
    runtime: input.runtime,
    unit: input.unit,
    value,
    ...(baseline ? { baseline } : {}),
    ...(ratio === undefined || !Number.isFinite(ratio) ? {} : { ratio }),
    ...(input.bar ? { bar: input.bar(value, baseline?.value) } : {}),
    ...(input.note === undefined ? {} : { note: input.note }),
  };
}
