/**
 * HTTP/1.1 heads and chunked framing, read from raw bytes for the router's fast path
 * (`fast-connection.ts`). Pure functions over buffers.
 *
 * The request side is deliberately narrower than HTTP: it accepts only the plain requests
 * that make up nearly all traffic (HTTP/1.1, origin-form target, a Content-Length body or
 * none, visible ASCII, no obs-fold) and says "not mine" for anything else, which then goes
 * to node's own parser (llhttp) and the full router. So nothing node would refuse is ever
 * forwarded from here: the fast path cannot be the weaker parser in a smuggling pair.
 *
 * The response side reads what an app answers: anything that is not well-formed HTTP/1.x
 * is an error the router turns into an H17.
 */

import { STATUS_CODES } from 'node:http';

export const HEAD_END = Buffer.from('\r\n\r\n');
/** As node's default `maxHeaderSize`: a longer request head is node's to refuse (431). */
export const MAX_REQUEST_HEAD = 16 * 1024;
/** An app's answer head larger than this is not HTTP the router passes on. */
export const MAX_RESPONSE_HEAD = 64 * 1024;

/** A request the fast path can forward as it is. */
export interface WireRequest {
  readonly method: string;
  /** Origin-form: starts with `/`. */
  readonly target: string;
  /** Name/value pairs as sent (names keep their case), for `readRequestHead`. */
  readonly rawHeaders: string[];
  /** Body length (0 when none). */
  readonly contentLength: number;
  /** The client sent `Connection: close`. */
  readonly close: boolean;
}

/** Framing of a response body: none, a length, chunks, or until the app closes. */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

export interface WireResponse {
  readonly status: number;
  /**
   * The head to pass on, without its last empty line: the status line (a missing reason
   * phrase filled in), then the app's header lines as it wrote them minus hop-by-hop ones
   * (`Connection` and the names it lists, `Keep-Alive`, `TE`, `Trailer`, `Upgrade`,
   * `Proxy-*`, and those in `drop`), `Transfer-Encoding` kept only for a chunked body (whose
   * chunks pass through as they are, with no Content-Length beside them), and a `Date` if
   * the app sent none.
   */
  readonly forwardHead: Buffer;
  readonly framing: BodyFraming;
  /** For `length`. */
  readonly contentLength: number;
  /** The connection to the app may carry another request after this answer. */
  readonly keepAlive: boolean;
  /** The app's `Keep-Alive: timeout=N`, in ms, if given. */
  readonly keepAliveHintMs: number | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Z]{1,20}$/;
const DIGITS = /^\d{1,15}$/;

/**
 * True when every byte of `buf[0, end)` is visible ASCII, a space or a tab, and every CR is
 * followed by LF and every LF preceded by CR: no bare line ends, no control bytes, no
 * obs-text. `allowHigh` lets bytes ≥ 0x80 through (apps' response headers carry UTF-8).
 */
function cleanHeadBytes(buf: Buffer, end: number, allowHigh: boolean): boolean {
  for (let i = 0; i < end; i += 1) {
    const c = buf[i] as number;
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === 0x09) continue;
    if (c === 0x0d) {
      if (buf[i + 1] !== 0x0a) return false;
      i += 1;
      continue;
    }
    if (c >= 0x80 && allowHigh) continue;
    return false;
  }
  return true;
}

/** OWS around a field value (spaces and tabs). */
function trimOws(value: string): string {
  let start = 0;
  let stop = value.length;
  while (start < stop && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start += 1;
  while (stop > start && (value.charCodeAt(stop - 1) === 32 || value.charCodeAt(stop - 1) === 9)) stop -= 1;
  return start === 0 && stop === value.length ? value : value.slice(start, stop);
}

function hasToken(value: string, token: string): boolean {
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * The request head in `buf[0, end)` (`end` is where `\r\n\r\n` starts), or undefined when
 * it is not a plain request the fast path takes (node then reads it, and refuses or
 * serves it).
 */
export function parseRequestHead(buf: Buffer, end: number): WireRequest | undefined {
  if (end <= 0 || end > MAX_REQUEST_HEAD || !cleanHeadBytes(buf, end, false)) return undefined;
  // One string for the head; lines and fields are found in it by index (no arrays of lines).
  const text = buf.toString('latin1', 0, end);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd === -1) lineEnd = text.length;
  // METHOD SP target SP HTTP/1.1: exactly two spaces.
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp2 === -1 || sp2 >= lineEnd || lineEnd !== sp2 + 9 || !text.startsWith('HTTP/1.1', sp2 + 1)) return undefined;
  const method = text.slice(0, sp1);
  const target = text.slice(sp1 + 1, sp2);
  if (!METHOD.test(method) || method === 'CONNECT' || target.charCodeAt(0) !== 47 /* / */ || target.includes('\t')) return undefined;
  const rawHeaders: string[] = [];
  let contentLength = -1;
  let hosts = 0;
  let close = false;
  for (let start = lineEnd + 2; start < text.length; ) {
    let stop = text.indexOf('\r\n', start);
    if (stop === -1) stop = text.length;
    const colon = text.indexOf(':', start);
    // Also refuses obs-fold: a continuation line starts with a space, which is no token.
    if (colon <= start || colon >= stop) return undefined;
    const name = text.slice(start, colon);
    if (!TOKEN.test(name)) return undefined;
    const value = trimOws(text.slice(colon + 1, stop));
    start = stop + 2;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') hosts += 1;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') return undefined;
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') return undefined;
        break;
      case 10:
        if (name.toLowerCase() === 'connection' && hasToken(value, 'close')) close = true;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (contentLength !== -1 || !DIGITS.test(value)) return undefined;
          contentLength = Number(value);
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return undefined;
        break;
      default:
        break;
    }
    rawHeaders.push(name, value);
  }
  if (hosts !== 1) return undefined;
  return { method, target, rawHeaders, contentLength: Math.max(0, contentLength), close };
}

/** Why an app's answer is not HTTP the router can pass on (an H17). */
export class WireError extends Error {
  readonly code = 'PAAS_BAD_RESPONSE';
}

/** Bytes of header names (tchar), by code. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/** `buf[start, start + name.length)` is `name` (lower-case letters and `-`), in any case. */
function nameIs(buf: Buffer, start: number, length: number, name: string): boolean {
  if (length !== name.length) return false;
  // Setting bit 5 lowers a letter and leaves `-`; a token byte that maps onto a letter is that letter.
  for (let i = 0; i < length; i += 1) if (((buf[start + i] as number) | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** What the router does with one line of an app's answer head. */
const enum Field {
  Pass,
  /** Hop-by-hop, or named in `drop`: not passed on. */
  Drop,
  TransferEncoding,
  ContentLength,
}

/**
 * The app's answer head in `buf[0, end)`. `method` is the request's (HEAD answers have no
 * body); `drop` names (lower-case) further headers not to pass on; `date` is the `Date`
 * value to add when the app sent none. Throws `WireError` for anything that is not
 * well-formed HTTP/1.x.
 *
 * Read from the bytes: header lines are passed on as the app wrote them (copied, never made
 * into strings), and only the values that decide framing and keep-alive are decoded. This
 * runs for every answer the fast path forwards.
 */
export function parseResponseHead(buf: Buffer, end: number, method: string, drop?: ReadonlySet<string>, date?: () => string): WireResponse {
  if (!cleanHeadBytes(buf, end, true)) throw new WireError('control bytes or bare line ends in the response head');
  let statusEnd = buf.indexOf(CRLF, 0);
  if (statusEnd === -1 || statusEnd > end) statusEnd = end;
  // HTTP/1.x SP 3DIGIT [SP reason]
  const d0 = buf[9] as number;
  const d1 = buf[10] as number;
  const d2 = buf[11] as number;
  const minor = buf[7] as number;
  if (
    statusEnd < 12 ||
    buf.compare(HTTP_1, 0, 7, 0, 7) !== 0 ||
    (minor !== 0x30 && minor !== 0x31) ||
    buf[8] !== 0x20 ||
    !isDigit(d0) ||
    !isDigit(d1) ||
    !isDigit(d2) ||
    (statusEnd > 12 && buf[12] !== 0x20)
  ) {
    throw new WireError(`not an HTTP/1.x status line: ${JSON.stringify(buf.toString('latin1', 0, Math.min(statusEnd, 80)))}`);
  }
  const http10 = minor === 0x30;
  const status = (d0 - 0x30) * 100 + (d1 - 0x30) * 10 + (d2 - 0x30);
  const hasReason = statusEnd > 13;

  /** Three numbers a header line: its start, its end, what to do with it (Field). */
  const bounds: number[] = [];
  let contentLength = -1;
  let chunked = false;
  let transferEncoding = false;
  let closeAsked = false;
  let keepAliveAsked = false;
  let keepAliveHintMs: number | undefined;
  let listed: Set<string> | undefined;
  let dated = false;
  for (let start = statusEnd + 2; start < end; ) {
    let stop = buf.indexOf(CRLF, start);
    if (stop === -1 || stop > end) stop = end;
    let colon = start;
    while (colon < stop && TCHAR[buf[colon] as number] === 1) colon += 1;
    // Also refuses obs-fold (a line starting with a space) and space before the colon.
    if (colon === start || colon === stop || buf[colon] !== 0x3a) throw new WireError(`malformed header line: ${JSON.stringify(buf.toString('latin1', start, Math.min(stop, start + 80)))}`);
    const nameLength = colon - start;
    let field = Field.Pass;
    switch (nameLength) {
      case 2:
        if (nameIs(buf, start, 2, 'te')) field = Field.Drop;
        break;
      case 4:
        if (nameIs(buf, start, 4, 'date')) dated = true;
        break;
      case 7:
        if (nameIs(buf, start, 7, 'trailer') || nameIs(buf, start, 7, 'upgrade')) field = Field.Drop;
        break;
      case 10:
        if (nameIs(buf, start, 10, 'connection')) {
          field = Field.Drop;
          for (const token of valueOf(buf, colon, stop).split(',')) {
            const option = token.trim().toLowerCase();
            if (option === 'close') closeAsked = true;
            else if (option === 'keep-alive') keepAliveAsked = true;
            else if (option.length > 0) (listed ??= new Set()).add(option);
          }
        } else if (nameIs(buf, start, 10, 'keep-alive')) {
          field = Field.Drop;
          const hint = /(?:^|[,\s])timeout=(\d{1,6})/i.exec(valueOf(buf, colon, stop));
          if (hint !== null) keepAliveHintMs = Number(hint[1]) * 1000;
        }
        break;
      case 14:
        if (nameIs(buf, start, 14, 'content-length')) {
          field = Field.ContentLength;
          const text = valueOf(buf, colon, stop);
          if (!DIGITS.test(text)) throw new WireError(`Content-Length is not a number: ${JSON.stringify(text.slice(0, 40))}`);
          const length = Number(text);
          if (contentLength !== -1 && contentLength !== length) throw new WireError('two different Content-Length headers');
          contentLength = length;
        }
        break;
      case 17:
        if (nameIs(buf, start, 17, 'transfer-encoding')) {
          field = Field.TransferEncoding;
          transferEncoding = true;
          const codings = valueOf(buf, colon, stop).split(',');
          chunked = (codings[codings.length - 1] as string).trim().toLowerCase() === 'chunked';
        }
        break;
      default:
        break;
    }
    if (field === Field.Pass && nameLength > 6 && nameIs(buf, start, 6, 'proxy-')) field = Field.Drop;
    if (field === Field.Pass && drop !== undefined) for (const name of drop) if (nameIs(buf, start, nameLength, name)) field = Field.Drop;
    bounds.push(start, stop, field);
    start = stop + 2;
  }
  if (transferEncoding && !chunked) throw new WireError('a Transfer-Encoding that does not end in chunked');
  let framing: BodyFraming;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) framing = 'none';
  else if (chunked) framing = 'chunked';
  else if (contentLength !== -1) framing = contentLength === 0 ? 'none' : 'length';
  else framing = 'close';
  const keepAlive = framing !== 'close' && !closeAsked && (!http10 || keepAliveAsked);

  // Which lines go on: Transfer-Encoding only with a chunked body passed through as it is (and
  // then no Content-Length beside it); names the app's Connection header listed are hop-by-hop too.
  const passChunked = framing === 'chunked';
  let size = 0;
  for (let i = 0; i < bounds.length; i += 3) {
    const field = bounds[i + 2] as Field;
    const keep =
      field === Field.Pass ? listed === undefined || !listed.has(buf.toString('latin1', bounds[i], buf.indexOf(0x3a, bounds[i] as number)).toLowerCase()) : field === Field.TransferEncoding ? passChunked : field === Field.ContentLength && !passChunked;
    if (!keep) bounds[i + 2] = Field.Drop;
    else size += (bounds[i + 1] as number) - (bounds[i] as number) + 2;
  }
  const reasonFill = hasReason ? '' : ` ${STATUS_CODES[status] ?? 'Unknown'}`;
  const dateLine = !dated && date !== undefined ? `Date: ${date()}\r\n` : '';
  const statusBytes = hasReason ? statusEnd - 9 : 3;
  const head = Buffer.allocUnsafe(9 + statusBytes + reasonFill.length + 2 + size + dateLine.length);
  let at = head.write('HTTP/1.1 ', 0, 'latin1');
  at += buf.copy(head, at, 9, 9 + statusBytes);
  if (reasonFill !== '') at += head.write(reasonFill, at, 'latin1');
  at += head.write('\r\n', at, 'latin1');
  for (let i = 0; i < bounds.length; i += 3) {
    if (bounds[i + 2] === Field.Drop) continue;
    at += buf.copy(head, at, bounds[i], bounds[i + 1]);
    at += head.write('\r\n', at, 'latin1');
  }
  if (dateLine !== '') head.write(dateLine, at, 'latin1');
  return { status, forwardHead: head, framing, contentLength: Math.max(0, contentLength), keepAlive, keepAliveHintMs };
}

const CRLF = Buffer.from('\r\n');
const HTTP_1 = Buffer.from('HTTP/1.');
/** A header's value (after the colon at `colon`, up to `stop`), OWS trimmed. */
const valueOf = (buf: Buffer, colon: number, stop: number): string => trimOws(buf.toString('latin1', colon + 1, stop));
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

const enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  FinalLf,
  Done,
}

/** Hex digit value, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Follows a chunked body as its bytes go by, to find where it ends; the bytes themselves
 * are passed on unchanged (both hops speak HTTP/1.1 chunked). Strict: a malformed size
 * line or a missing CRLF is an error.
 */
export class ChunkedBody {
  #state = Chunk.Size;
  #size = 0;
  #digits = 0;
  #left = 0;

  get done(): boolean {
    return this.#state === Chunk.Done;
  }

  /**
   * Reads `buf`; returns the index just past the body's end if it ends in `buf`, or -1 if
   * the body goes on. Throws `WireError` on malformed framing.
   */
  feed(buf: Buffer): number {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case Chunk.Data: {
          const take = Math.min(this.#left, n - i);
          i += take;
          this.#left -= take;
          if (this.#left === 0) this.#state = Chunk.DataCr;
          break;
        }
        case Chunk.Size: {
          const c = buf[i++] as number;
          const digit = hexValue(c);
          if (digit >= 0) {
            this.#digits += 1;
            if (this.#digits > 12) throw new WireError('chunk size too large');
            this.#size = this.#size * 16 + digit;
          } else if (this.#digits === 0) {
            throw new WireError('chunk size missing');
          } else if (c === 0x0d) {
            this.#state = Chunk.SizeLf;
          } else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) {
            this.#state = Chunk.Extension;
          } else {
            throw new WireError('bad chunk size');
          }
          break;
        }
        case Chunk.Extension: {
          const c = buf[i++] as number;
          if (c === 0x0d) this.#state = Chunk.SizeLf;
          else if (c < 0x20 && c !== 0x09) throw new WireError('bad chunk extension');
          break;
        }
        case Chunk.SizeLf:
          if (buf[i++] !== 0x0a) throw new WireError('chunk size line not ended by CRLF');
          if (this.#size === 0) {
            this.#state = Chunk.TrailerStart;
          } else {
            this.#left = this.#size;
            this.#state = Chunk.Data;
          }
          this.#size = 0;
          this.#digits = 0;
          break;
        case Chunk.DataCr:
          if (buf[i++] !== 0x0d) throw new WireError('chunk data not followed by CRLF');
          this.#state = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (buf[i++] !== 0x0a) throw new WireError('chunk data not followed by CRLF');
          this.#state = Chunk.Size;
          break;
        case Chunk.TrailerStart: {
          const c = buf[i++] as number;
          if (c === 0x0d) this.#state = Chunk.FinalLf;
          else if (c < 0x20 && c !== 0x09) throw new WireError('bad trailer');
          else this.#state = Chunk.TrailerLine;
          break;
        }
        case Chunk.TrailerLine: {
          const c = buf[i++] as number;
          if (c === 0x0d) this.#state = Chunk.TrailerLf;
          else if (c < 0x20 && c !== 0x09) throw new WireError('bad trailer');
          break;
        }
        case Chunk.TrailerLf:
          if (buf[i++] !== 0x0a) throw new WireError('trailer not ended by CRLF');
          this.#state = Chunk.TrailerStart;
          break;
        case Chunk.FinalLf:
          if (buf[i++] !== 0x0a) throw new WireError('chunked body not ended by CRLF');
          this.#state = Chunk.Done;
          return i;
        case Chunk.Done:
          return i;
      }
    }
    return -1;
  }
}
