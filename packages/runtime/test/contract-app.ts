import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { SlugRef } from '../src/index.js';

/**
 * The fixture app of the contract suite: a tiny Python web server (python3 is on the
 * host and in the stack image) that answers with what it sees of its environment, a
 * `.profile.d` script, and Procfile-style commands for each scenario.
 */
export const SERVER_PY = `
import http.server, json, os, sys, threading

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith('/exit/'):
            code = int(self.path.split('/')[2])
            self.reply(b'bye')
            print('exiting with %d' % code, flush=True)
            threading.Timer(0.1, os._exit, [code]).start()
            return
        seen = {key: os.environ.get(key) for key in ('DYNO', 'GREETING', 'FROM_PROFILE', 'PORT', 'HOME')}
        seen['pwned'] = os.path.exists(os.environ.get('MARKER', '/nonexistent'))
        self.reply(json.dumps(seen).encode())
        print('request %s dyno=%s' % (self.path, os.environ.get('DYNO')), flush=True)

    def reply(self, body):
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(('0.0.0.0', int(os.environ['PORT'])), Handler)
print('listening on %s' % os.environ['PORT'], flush=True)
print('booted %s' % os.environ.get('DYNO'), file=sys.stderr, flush=True)
server.serve_forever()
`;

export const PROFILE_SH = 'export FROM_PROFILE="profile:$DYNO"\n';

export const COMMANDS = {
  web: 'python3 server.py',
  crash: 'echo "about to fail"; echo "failing now" >&2; exit 3',
  /** Ignores SIGTERM and leaves a child that ignores it too (ignored signals survive exec). */
  ignoresTerm: `trap '' TERM; sleep 300 & echo "child $!"; while true; do sleep 0.2; done`,
  /** Dies of SIGTERM (Python's default) and has a child. */
  handlesTerm: 'sleep 300 & echo "child $!"; exec python3 server.py',
  /** Writes into its app dir after checking whether another process's write shows. */
  writer: `if [ -e written.txt ]; then echo "seen $(cat written.txt)"; else echo absent; fi; echo "$DYNO" > written.txt; echo "wrote $DYNO"; exec sleep 300`,
  /** Grows until the memory limit stops it. */
  hog: `python3 -c 'import time
blocks = []
while True:
    blocks.append(bytearray(8 * 1024 * 1024))
    time.sleep(0.01)'`,
} as const;

/** A config value no shell should ever evaluate. */
export function hostileValue(marker: string): string {
  return `hi $(touch ${marker}) \`touch ${marker}\`; touch ${marker} | & > < ' " \\ $HOME`;
}

/** Packs `files` (path → content) with the real tar, as the builder would, and returns the slug. */
export function makeSlug(workDir: string, files: Readonly<Record<string, string>>): SlugRef {
  const appDir = mkdtempSync(join(workDir, 'app-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(appDir, path)), { recursive: true });
    writeFileSync(join(appDir, path), content);
  }
  const path = `${appDir}.tgz`;
  const result = spawnSync('tar', ['-czf', path, '--owner=0', '--group=0', '--numeric-owner', '-C', appDir, '.'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
  return { path, checksum: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

export function makeContractSlug(workDir: string): SlugRef {
  return makeSlug(workDir, { 'server.py': SERVER_PY, '.profile.d/paas.sh': PROFILE_SH, 'Procfile': `web: ${COMMANDS.web}\n` });
}

/** GET with retries while the server boots. */
export async function httpGet(address: { host: string; port: number }, path: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://${address.host}:${String(address.port)}${path}`, { signal: AbortSignal.timeout(2000) });
      return await response.text();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
