/**
 * ANSI escape sequences (build output, log lines) to styled text segments. Pure: the
 * page turns segments into text nodes with classes, so no byte of the input is ever
 * parsed as HTML. Colours become one of the 16 palette classes; anything else an
 * escape sequence can do (cursor moves, titles, links) is dropped.
 */
export interface AnsiStyle {
  /** Palette index 0–15, or null for the default colour. */
  readonly fg: number | null;
  readonly bg: number | null;
  readonly bold: boolean;
  readonly dim: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly inverse: boolean;
}

export interface Segment {
  readonly text: string;
  /** CSS classes: `fg-3`, `bg-12`, `bold`, `dim`, `italic`, `underline`. */
  readonly classes: readonly string[];
}

export const PLAIN_STYLE: AnsiStyle = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false };

// CSI sequences (ESC [ … final byte), OSC sequences (ESC ] … BEL or ESC \), other two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;:?<=>]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?|\x9b[0-9;]*[@-~]/g;
// C0 controls other than tab and newline, and DEL; carriage returns are handled per line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Maps an xterm 256-colour index, or an RGB triple, onto the 16-colour palette. */
export function nearestPalette(r: number, g: number, b: number): number {
  const base = (r > 127 ? 1 : 0) | (g > 127 ? 2 : 0) | (b > 127 ? 4 : 0);
  const bright = Math.max(r, g, b) > 200 || (base === 0 && Math.max(r, g, b) > 80);
  return base + (bright ? 8 : 0);
}

function xterm256(n: number): number {
  if (n < 16) return n;
  if (n >= 232) {
    const level = 8 + (n - 232) * 10;
    return level < 60 ? 0 : level < 150 ? 8 : level < 220 ? 7 : 15;
  }
  const cube = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return nearestPalette(steps[Math.floor(cube / 36)] ?? 0, steps[Math.floor(cube / 6) % 6] ?? 0, steps[cube % 6] ?? 0);
}

/** Applies one SGR parameter list (`1;31`) to a style. */
export function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((part) => (part === '' ? 0 : Number(part)));
  let next = { ...style };
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i] ?? 0;
    if (code === 0) next = { ...PLAIN_STYLE };
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 7) next.inverse = true;
    else if (code === 22) next = { ...next, bold: false, dim: false };
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code === 27) next.inverse = false;
    else if (code >= 30 && code <= 37) next.fg = code - 30;
    else if (code === 39) next.fg = null;
    else if (code >= 40 && code <= 47) next.bg = code - 40;
    else if (code === 49) next.bg = null;
    else if (code >= 90 && code <= 97) next.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) next.bg = code - 100 + 8;
    else if (code === 38 || code === 48) {
      const mode = codes[i + 1];
      let colour: number | undefined;
      if (mode === 5) {
        colour = xterm256(Math.min(255, codes[i + 2] ?? 0));
        i += 2;
      } else if (mode === 2) {
        colour = nearestPalette(codes[i + 2] ?? 0, codes[i + 3] ?? 0, codes[i + 4] ?? 0);
        i += 4;
      }
      if (colour !== undefined) {
        if (code === 38) next.fg = colour;
        else next.bg = colour;
      }
    }
  }
  return next;
}

export function styleClasses(style: AnsiStyle): string[] {
  const fg = style.inverse ? (style.bg ?? 0) : style.fg;
  const bg = style.inverse ? (style.fg ?? 7) : style.bg;
  const classes: string[] = [];
  if (fg !== null) classes.push(`fg-${String(fg)}`);
  if (bg !== null) classes.push(`bg-${String(bg)}`);
  if (style.bold) classes.push('bold');
  if (style.dim) classes.push('dim');
  if (style.italic) classes.push('italic');
  if (style.underline) classes.push('underline');
  return classes;
}

/** A line rewritten with `\r` (a progress bar) shows what was written last, as a terminal would. */
export function collapseCarriageReturns(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      const last = trimmed.lastIndexOf('\r');
      return last < 0 ? trimmed : trimmed.slice(last + 1);
    })
    .join('\n');
}

/** Splits text into styled segments; `style` carries state across calls (line by line). */
export function parseAnsi(text: string, start: AnsiStyle = PLAIN_STYLE): { segments: Segment[]; style: AnsiStyle } {
  const segments: Segment[] = [];
  let style = start;
  let last = 0;
  const push = (raw: string): void => {
    const clean = raw.replace(CONTROL, '');
    if (clean === '') return;
    const classes = styleClasses(style);
    const previous = segments[segments.length - 1];
    if (previous && previous.classes.join(' ') === classes.join(' ')) segments[segments.length - 1] = { text: previous.text + clean, classes };
    else segments.push({ text: clean, classes });
  };
  for (const match of text.matchAll(ESCAPE)) {
    push(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] === 'm' && match[0].startsWith('\x1b[')) style = applySgr(style, match[1] ?? '');
  }
  push(text.slice(last));
  return { segments, style };
}
