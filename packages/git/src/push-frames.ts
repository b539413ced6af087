/**
 * The wire format between the pre-receive hook (`pre-receive/hook.ts`) and the push
 * server (`push-server.ts`), over a Unix socket.
 *
 * Every frame is: 1 byte type, 4 bytes big-endian payload length, the payload
 * (at most {@link MAX_FRAME_PAYLOAD} bytes; data and output travel in 64 KiB pieces,
 * the limit is for a hello that lists thousands of tags).
 *
 * hook → daemon
 *   'H' hello    first frame, exactly once. UTF-8 JSON:
 *                {"v":1,"ticket":"<id>.<secret>","app":"<name>","updates":[{"oldRev","newRev","ref"}]}
 *   'D' data     a piece of the tar the daemon asked for with 'A'
 *   'E' end      the tar is complete (empty payload)
 *   'F' fail     the tar could not be made; payload: git's message (UTF-8)
 * daemon → hook
 *   'O' output   bytes for the pusher; the hook copies them to its stdout as they
 *                arrive, and git shows them as `remote: ` lines
 *   'A' archive  payload: the hex revision to stream as `git archive --format=tar`
 *                (at most once, and only a revision the hook itself announced)
 *   'X' exit     payload: 1 byte, the hook's exit code (0 accepts the push). The last
 *                frame: the daemon then ends the connection.
 *
 * A connection that ends before 'X' means the daemon went away: the hook prints a
 * ` !     ` line and exits 1, which rejects the push. A connection that ends before
 * the daemon sent 'X' means the pusher went away: the daemon aborts `push.signal`.
 */

export const FRAME = {
  hello: 0x48, // 'H'
  data: 0x44, // 'D'
  end: 0x45, // 'E'
  fail: 0x46, // 'F'
  output: 0x4f, // 'O'
  archive: 0x41, // 'A'
  exit: 0x58, // 'X'
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  readonly type: number;
  readonly payload: Buffer;
}

export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;
const HEADER_BYTES = 5;

export const HELLO_VERSION = 1;

export function encodeFrame(type: FrameType, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`frame payload of ${String(body.length)} bytes is over ${String(MAX_FRAME_PAYLOAD)}`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** Splits a large payload over as many frames of one type as it needs. */
export function encodeFrames(type: FrameType, payload: Buffer, pieceSize = 64 * 1024): Buffer[] {
  const frames: Buffer[] = [];
  for (let start = 0; start < payload.length; start += pieceSize) {
    frames.push(encodeFrame(type, payload.subarray(start, start + pieceSize)));
  }
  return frames;
}

/** Turns a byte stream back into frames; chunks may split frames anywhere. */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    while (this.#pending.length >= HEADER_BYTES) {
      const type = this.#pending.readUInt8(0);
      const length = this.#pending.readUInt32BE(1);
      if (length > MAX_FRAME_PAYLOAD) {
        throw new RangeError(`frame of ${String(length)} bytes is over the limit of ${String(MAX_FRAME_PAYLOAD)}`);
      }
      if (this.#pending.length < HEADER_BYTES + length) break;
      frames.push({ type, payload: this.#pending.subarray(HEADER_BYTES, HEADER_BYTES + length) });
      this.#pending = this.#pending.subarray(HEADER_BYTES + length);
    }
    return frames;
  }

  /** Bytes of a frame that has not fully arrived yet. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

/** Revisions as git prints them: SHA-1 (40 hex) or SHA-256 (64 hex). */
export const REV_PATTERN = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The environment a push ticket hands down: http-backend → receive-pack → the hook. */
export const PUSH_ENV = {
  socket: 'PAAS_PUSH_SOCKET',
  ticket: 'PAAS_PUSH_TICKET',
} as const;

export interface Hello {
  readonly v: typeof HELLO_VERSION;
  readonly ticket: string;
  readonly app: string;
  readonly updates: readonly { readonly oldRev: string; readonly newRev: string; readonly ref: string }[];
}

const MAX_REF_LENGTH = 4096;

/** Reads a hello frame's payload; null when it is not one this version understands. */
export function parseHello(payload: Buffer): Hello | null {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return null; // not JSON: the caller answers with a protocol error
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, ticket, app, updates } = value as Record<string, unknown>;
  if (v !== HELLO_VERSION || typeof ticket !== 'string' || typeof app !== 'string' || !Array.isArray(updates)) {
    return null;
  }
  const checked: Hello['updates'][number][] = [];
  for (const update of updates as unknown[]) {
    if (typeof update !== 'object' || update === null) return null;
    const { oldRev, newRev, ref } = update as Record<string, unknown>;
    if (typeof oldRev !== 'string' || !REV_PATTERN.test(oldRev)) return null;
    if (typeof newRev !== 'string' || !REV_PATTERN.test(newRev)) return null;
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REF_LENGTH) return null;
    checked.push({ oldRev, newRev, ref });
  }
  return { v, ticket, app, updates: checked };
}
