/**
 * The header block a CGI program (here `git http-backend`) writes before its body:
 * `Name: value` lines, an optional `Status: 404 Not Found`, then a blank line.
 * RFC 3875 says CRLF; git writes CRLF, and LF alone is accepted too.
 */

export interface CgiHead {
  readonly status: number;
  /** Header names in lower case; a repeated header keeps its values joined by ", ". */
  readonly headers: Readonly<Record<string, string>>;
}

/** A CGI program that has not finished its headers within this many bytes is broken. */
export const MAX_CGI_HEAD_BYTES = 64 * 1024;

/**
 * Where the header block ends in `buffer`: the offset of the first body byte, or -1
 * while the blank line has not arrived yet.
 */
export function findCgiBodyStart(buffer: Buffer): number {
  // A CGI program with no headers at all.
  if (buffer[0] === 0x0a) return 1;
  if (buffer[0] === 0x0d && buffer[1] === 0x0a) return 2;
  for (let index = buffer.indexOf(0x0a); index !== -1; index = buffer.indexOf(0x0a, index + 1)) {
    const next = buffer[index + 1];
    if (next === 0x0a) return index + 2;
    if (next === 0x0d && buffer[index + 2] === 0x0a) return index + 3;
  }
  return -1;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses the header block (without the blank line); throws on a malformed line. */
export function parseCgiHead(block: string): CgiHead {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!HEADER_NAME.test(name)) throw new Error(`malformed CGI header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    const key = name.toLowerCase();
    if (key === 'status') {
      const code = /^(\d{3})(?:\s|$)/.exec(value);
      if (!code) throw new Error(`malformed CGI Status ${JSON.stringify(value.slice(0, 80))}`);
      status = Number(code[1]);
    } else {
      headers[key] = key in headers ? `${headers[key] ?? ''}, ${value}` : value;
    }
  }
  if (status === 200 && headers.location !== undefined) status = 302;
  return { status, headers };
}
