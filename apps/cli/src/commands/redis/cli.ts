import { registerServiceShell } from '../pg/psql.js';

export const registerRedisCli = registerServiceShell('redis', 'redis:cli', { option: '-c, --command <COMMAND>', description: 'run one command (words split on spaces) and exit' });
