import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A classic buildpack as plain shell whose apps run `run.sh`. */
export function writeShellBuildpack(dir: string, compile = 'echo built > "$1/built.txt"'): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const scripts: Record<string, string> = {
    detect: '#!/bin/sh\n[ -f "$1/run.sh" ] && echo "Shell" && exit 0\nexit 1\n',
    compile: `#!/bin/sh\nset -e\n${compile}\n`,
    release: '#!/bin/sh\nprintf -- "---\\ndefault_process_types:\\n  web: sh run.sh\\n"\n',
  };
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, 'bin', name), body);
    chmodSync(join(dir, 'bin', name), 0o755);
  }
  return dir;
}
