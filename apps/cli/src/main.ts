import { createProcessContext } from './context.js';
import { runCli } from './program.js';

// exitCode, not exit(): pending stdout writes to a pipe must drain first
process.exitCode = await runCli(process.argv, createProcessContext(process));
