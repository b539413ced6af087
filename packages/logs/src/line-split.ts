import { MAX_LINE_BYTES } from './log-event.js';

/**
 * Splits a line longer than MAX_LINE_BYTES of UTF-8 into pieces that fit, never inside a
 * character. Most lines are short ASCII: those return without encoding anything.
 */
export function splitLongLine(line: string, maxBytes = MAX_LINE_BYTES): string[] {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings cannot be too long.
  if (line.length * 3 <= maxBytes || Buffer.byteLength(line, 'utf8') <= maxBytes) return [line];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  if (piece) pieces.push(piece);
  return pieces;
}
