import { createInterface } from 'node:readline/promises';

import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';

/** Asks a question on stderr and reads one visible line from stdin. */
export async function promptLine(ctx: CliContext, question: string): Promise<string> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr as NodeJS.WritableStream, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * Reads a secret without echoing it: raw mode, one keystroke at a time. Enter ends,
 * Backspace deletes, Ctrl-C and Ctrl-D abort. Pasted text arrives as one chunk.
 */
export function promptHidden(ctx: CliContext, question: string): Promise<string> {
  const { stdin } = ctx;
  if (!stdin.setRawMode) throw new CliError('Cannot read a hidden answer here: stdin is not a terminal.');
  ctx.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let answer = '';
    const finish = (error?: CliError): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      ctx.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer.trim());
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new CliError('Cancelled.'));
        if (char === '\u007f' || char === '\b') answer = [...answer].slice(0, -1).join('');
        else if (char >= ' ') answer += char;
      }
    };
    stdin.on('data', onData);
  });
}
