// A node:test reporter that collects skipped tests and, when the run ends, writes one line
// per skipped suite: `skipped: <suite> (<file>) — <reason>`. A suite is a test file's
// top-level test or describe; its skipped tests with one reason make one line.
// run-tests.js prints this after the spec reporter's summary.
import { relative } from 'node:path';

/** `apps/cli/dist/test/x.test.js` → `apps/cli/test/x.test.ts`: the file a reader opens. */
function sourceOf(file) {
  const path = relative(process.cwd(), file).split('\\').join('/');
  const match = /^(.*)\/dist\/(.*)\.js$/.exec(path);
  return match ? `${match[1]}/${match[2]}.ts` : path;
}

export default async function* skippedReporter(source) {
  /** Per file, the names of the tests being reported, by nesting (test:start comes in declaration order). */
  const stacks = new Map();
  /** `file\0suite\0reason` → how many tests it covers. */
  const skipped = new Map();
  for await (const event of source) {
    const { file, name, nesting } = event.data ?? {};
    if (event.type === 'test:start' && file !== undefined) {
      const stack = stacks.get(file) ?? [];
      stack.length = nesting;
      stack.push(name);
      stacks.set(file, stack);
    } else if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined) {
      const suite = (nesting > 0 ? stacks.get(file)?.[0] : undefined) ?? name;
      const reason = typeof event.data.skip === 'string' && event.data.skip !== '' ? event.data.skip : 'no reason given';
      const key = [file ?? '', suite, reason].join('\0');
      skipped.set(key, (skipped.get(key) ?? 0) + 1);
    }
  }
  for (const [key, count] of skipped) {
    const [file, suite, reason] = key.split('\0');
    const where = [file ? sourceOf(file) : undefined, count > 1 ? `${String(count)} tests` : undefined].filter(Boolean).join(', ');
    yield `skipped: ${suite}${where ? ` (${where})` : ''} — ${reason}\n`;
  }
}
