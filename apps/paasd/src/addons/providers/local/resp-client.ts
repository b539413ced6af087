import { createConnection } from 'node:net';

/** One RESP array of bulk strings: how every Redis command is sent. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${String(args.length)}\r\n`];
  for (const arg of args) parts.push(`$${String(Buffer.byteLength(arg))}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/** Parses one reply from the start of `data`; undefined while it is incomplete. */
export function parseReply(data: string): { value: string | null | (string | null)[]; error?: string; rest: string } | undefined {
  const end = data.indexOf('\r\n');
  if (end < 0) return undefined;
  const kind = data[0];
  const line = data.slice(1, end);
  const after = data.slice(end + 2);
  if (kind === '+' || kind === ':') return { value: line, rest: after };
  if (kind === '-') return { value: null, error: line, rest: after };
  if (kind === '$') {
    const length = Number(line);
    if (length < 0) return { value: null, rest: after };
    const bytes = Buffer.from(after);
    if (bytes.length < length + 2) return undefined;
    return { value: bytes.subarray(0, length).toString(), rest: bytes.subarray(length + 2).toString() };
  }
  if (kind === '*') {
    const count = Number(line);
    const items: (string | null)[] = [];
    let rest = after;
    for (let i = 0; i < count; i += 1) {
      const item = parseReply(rest);
      if (!item) return undefined;
      items.push(Array.isArray(item.value) ? item.value.join(' ') : item.value);
      rest = item.rest;
    }
    return { value: items, rest };
  }
  return { value: null, error: `unexpected reply ${JSON.stringify(data.slice(0, 20))}`, rest: '' };
}

/**
 * Sends commands to a Redis server over its Unix socket, one after the other, and
 * returns their replies; an error reply rejects. Only for the platform's own admin
 * commands (AUTH, ACL, INFO), so it is small.
 */
export function sendRedisCommands(socketPath: string, commands: readonly (readonly string[])[], timeoutMs = 10_000): Promise<(string | null | (string | null)[])[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const replies: (string | null | (string | null)[])[] = [];
    let buffer = '';
    const timer = setTimeout(() => socket.destroy(new Error('redis did not answer in time')), timeoutMs);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(Buffer.concat(commands.map(encodeCommand))));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let reply = parseReply(buffer); reply; reply = parseReply(buffer)) {
        buffer = reply.rest;
        if (reply.error !== undefined) {
          socket.destroy(new Error(`redis: ${reply.error}`));
          return;
        }
        replies.push(reply.value);
        if (replies.length === commands.length) {
          clearTimeout(timer);
          socket.end();
          resolve(replies);
          return;
        }
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (replies.length < commands.length) reject(new Error('redis closed the connection'));
    });
  });
}
