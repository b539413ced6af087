// Run as a child process by crash.test.ts: makes config changes as fast as it can and
// prints "ack <version>" after each one returns, the moment the API would answer.
import { createStore } from '../src/index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-writer DATA_DIR');
const store = createStore({ dataDir });
if (!store.apps.get('demo')) store.apps.create('demo', 'writer');
for (let i = 0; ; i += 1) {
  const { release } = store.deploys.updateConfig('demo', { COUNTER: String(i) }, 'writer');
  process.stdout.write(`ack ${String(release?.version)} ${String(i)}\n`);
}
