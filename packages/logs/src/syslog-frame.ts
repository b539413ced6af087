import type { LogEvent } from './log-event.js';

/** local7.info, as Heroku's drains send app and platform lines alike. */
const PRIORITY = 190;

/**
 * RFC 5424 header fields are printable ASCII without spaces (PRINTUSASCII, %d33-126) of
 * bounded length; anything else would shift the fields a receiver parses.
 */
function headerField(value: string, maxLength: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '_').slice(0, maxLength);
  return printable === '' ? '-' : printable;
}

/**
 * `rfc5424` (syslog drains): `<190>1 2026-11-22T03:07:09.953Z d.<uuid> app web.1 - - msg`,
 * with the nil STRUCTURED-DATA a strict parser (rsyslog's) needs, or it reads a line's
 * leading `[INFO]` as structured data and drops it from the message.
 * `logplex` (HTTPS drains): Heroku's frames, with no STRUCTURED-DATA field, which is what
 * receivers built for Heroku's HTTPS drains parse.
 */
export type FrameStyle = 'rfc5424' | 'logplex';

/** HOSTNAME is the drain token, APP-NAME the line's source, PROCID its process, MSGID `-`. */
export function syslogMessage(event: LogEvent, token: string, style: FrameStyle = 'rfc5424'): string {
  const header = [
    `<${String(PRIORITY)}>1`,
    headerField(event.time, 64),
    headerField(token, 255),
    headerField(event.source, 48),
    headerField(event.process, 128),
    style === 'rfc5424' ? '- -' : '-',
  ].join(' ');
  return `${header} ${event.line}`;
}

/** RFC 6587 octet counting: `<byte length> <message>`; the length counts UTF-8 bytes. */
export function syslogFrame(event: LogEvent, token: string, style: FrameStyle = 'rfc5424'): Buffer {
  const message = syslogMessage(event, token, style);
  return Buffer.from(`${String(Buffer.byteLength(message))} ${message}`);
}

/** A line the drain itself adds to the stream it sends (the L10 overflow notice). */
export function noticeFrame(line: string, token: string, time: Date, style: FrameStyle = 'rfc5424'): Buffer {
  return syslogFrame({ time: time.toISOString(), source: 'paas', process: 'logs', line }, token, style);
}
