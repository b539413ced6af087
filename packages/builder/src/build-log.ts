import { Writable } from 'node:stream';

export const DEFAULT_OUTPUT_LIMIT_BYTES = 8 * 1024 * 1024;
const TAIL_BYTES = 64 * 1024;

/** `-----> ` step lines, 7-space indented detail, ` !     ` errors (Heroku's build output). */
export const STEP_PREFIX = '-----> ';
export const DETAIL_PREFIX = '       ';
export const ERROR_PREFIX = ' !     ';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}K`;
  return `${(bytes / (1024 * 1024)).toFixed(1)}M`;
}

/**
 * The build output going to the user (plain text, e.g. `remote:` lines of a push).
 * Our own lines always go through; what buildpacks print is forwarded up to a limit,
 * after which one note says so and the rest is dropped. Only a bounded tail is kept,
 * for the failure classifier. Writes wait for `out` to drain, so a slow reader slows
 * the build down instead of filling memory.
 */
export class BuildLog {
  readonly #out: Writable;
  readonly #limit: number;
  #forwarded = 0;
  #truncated = false;
  #tail: Buffer = Buffer.alloc(0);

  constructor(out: Writable, options: { limitBytes?: number } = {}) {
    this.#out = out;
    this.#limit = options.limitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES;
  }

  step(text: string): void {
    this.#writeOwn(`${STEP_PREFIX}${text}\n`);
  }

  detail(text: string): void {
    this.#writeOwn(`${DETAIL_PREFIX}${text}\n`);
  }

  error(text: string): void {
    this.#writeOwn(`${ERROR_PREFIX}${text}\n`);
  }

  /** Lines as they are (already prefixed). */
  lines(lines: readonly string[]): void {
    for (const line of lines) this.#writeOwn(`${line}\n`);
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  /** The last bytes buildpacks printed, whether shown or not. */
  tail(): string {
    return this.#tail.toString('utf8');
  }

  /** A writable for one command's output; end it and await `finished` when the command is done. */
  sink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.#forward(chunk).then(() => callback(), callback);
      },
    });
  }

  #remember(chunk: Buffer): void {
    const joined = Buffer.concat([this.#tail, chunk]);
    this.#tail = joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined;
  }

  async #forward(chunk: Buffer): Promise<void> {
    this.#remember(chunk);
    if (this.#truncated) return;
    const room = this.#limit - this.#forwarded;
    if (chunk.length <= room) {
      this.#forwarded += chunk.length;
      await this.#write(chunk);
      return;
    }
    this.#forwarded = this.#limit;
    this.#truncated = true;
    const head = chunk.subarray(0, Math.max(0, room));
    // Cut at the last newline so the note starts on a line of its own.
    const cut = head.lastIndexOf(10);
    await this.#write(cut >= 0 ? head.subarray(0, cut + 1) : Buffer.concat([head, Buffer.from('\n')]));
    await this.#write(
      Buffer.from(
        `${DETAIL_PREFIX}[output truncated: this build printed more than ${formatBytes(this.#limit)}; ` +
          'the rest is not shown, the build goes on]\n',
      ),
    );
  }

  #writeOwn(text: string): void {
    if (this.#out.writable) this.#out.write(text);
  }

  #write(data: Buffer): Promise<void> {
    const out = this.#out;
    if (!out.writable) return Promise.resolve();
    if (out.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
      out.on('error', done);
    });
  }
}
