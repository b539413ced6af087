import { createProcessContext } from './context.js';
import { runCli } from './program.js';

// A reader that stops early (`paas releases | head`) closes the pipe: that is not a failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// exitCode, not exit(): pending stdout writes to a pipe must drain first
process.exitCode = await runCli(process.argv, createProcessContext(process));
