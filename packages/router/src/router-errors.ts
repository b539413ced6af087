/**
 * The router's own answers: Heroku's error codes (H10, H12…), the status each gives
 * the client, and the small page that says what happened. Log lines carry the code and
 * `desc`; the page carries the title and the explanation.
 */

export type RouterErrorCode =
  | 'H10' | 'H12' | 'H13' | 'H14' | 'H17' | 'H18' | 'H19' | 'H20' | 'H21' | 'H27' | 'H80';

export interface RouterError {
  readonly code: RouterErrorCode;
  readonly status: number;
  /** Heroku's short description, as logged in `desc="…"`. */
  readonly desc: string;
  /** The page's heading. */
  readonly title: string;
  /** One or two sentences for the person looking at the page. */
  readonly explanation: string;
  /** Seconds, sent as `Retry-After` on 503s. */
  readonly retryAfter?: number;
}

export const ROUTER_ERRORS: Readonly<Record<RouterErrorCode, RouterError>> = Object.freeze({
  H10: {
    code: 'H10', status: 503, desc: 'App crashed', title: 'App crashed', retryAfter: 30,
    explanation: "The app's web processes crashed. Check the app's logs (paas logs --tail) for the cause.",
  },
  H12: {
    code: 'H12', status: 504, desc: 'Request timeout', title: 'Request timeout',
    explanation: 'The app did not start its response in time (30 seconds by default). Move long work to a background worker.',
  },
  H13: {
    code: 'H13', status: 502, desc: 'Connection closed without response', title: 'Connection closed without response',
    explanation: "The app's web process accepted the connection, then closed it without answering.",
  },
  H14: {
    code: 'H14', status: 503, desc: 'No web processes running', title: 'No web processes running', retryAfter: 30,
    explanation: 'The app has no web processes. Scale them up with paas ps:scale web=1.',
  },
  H17: {
    code: 'H17', status: 502, desc: 'Poorly formatted HTTP response', title: 'Bad response from the app',
    explanation: "The app's web process answered with something that is not valid HTTP.",
  },
  H18: {
    code: 'H18', status: 502, desc: 'Server Request Interrupted', title: 'Server request interrupted',
    explanation: "The app's web process closed the connection before its response was complete.",
  },
  H19: {
    code: 'H19', status: 503, desc: 'Backend connection timeout', title: 'App not responding', retryAfter: 5,
    explanation: "The app's web processes did not accept a connection in time (like Heroku's H19).",
  },
  H20: {
    code: 'H20', status: 503, desc: 'App boot timeout', title: 'App booting', retryAfter: 5,
    explanation: "The app's web processes are still starting and none became ready in time.",
  },
  H21: {
    code: 'H21', status: 503, desc: 'Backend connection refused', title: 'App not responding', retryAfter: 5,
    explanation:
      "Nothing is listening on the app's $PORT: its web process may have crashed (as in H10) or have just " +
      'been stopped by a deploy. Unlike H13, the connection was refused, not accepted and then closed.',
  },
  H27: {
    code: 'H27', status: 499, desc: 'Client Request Interrupted', title: 'Client request interrupted',
    explanation: 'The client closed the connection before the response was sent.',
  },
  H80: {
    code: 'H80', status: 503, desc: 'Maintenance mode', title: 'Down for maintenance', retryAfter: 60,
    explanation: 'The app is in maintenance mode. Please try again later.',
  },
} satisfies Record<RouterErrorCode, RouterError>);

/** An answer the router writes itself: a router error, or a 400 / 404 that has no app. */
export interface RouterPage {
  readonly status: number;
  readonly title: string;
  readonly explanation: string;
  readonly code?: string;
  readonly retryAfter?: number;
}

export function badRequestPage(reason: string): RouterPage {
  return { status: 400, title: 'Bad request', explanation: reason };
}

export function noSuchAppPage(host: string): RouterPage {
  return {
    status: 404,
    title: 'No such app',
    explanation: `There is no app at ${host.length > 0 ? host : '(empty host)'}. Check the app's name or its custom domains.`,
  };
}

export function errorPage(error: RouterError): RouterPage {
  return {
    status: error.status,
    title: error.title,
    explanation: error.explanation,
    code: error.code,
    ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
  };
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Body and content type for a page; HTML unless the client prefers plain text. */
export function renderPage(page: RouterPage, accept: string | undefined): { body: string; contentType: string } {
  const codeNote = page.code === undefined ? '' : ` (${page.code})`;
  if (prefersPlainText(accept)) {
    return {
      body: `${page.title}${codeNote}\n${page.explanation}\n`,
      contentType: 'text/plain; charset=utf-8',
    };
  }
  const title = escapeHtml(page.title);
  const body =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}` +
    'small{color:#777}</style></head>\n' +
    `<body><h1>${title}</h1><p>${escapeHtml(page.explanation)}</p>` +
    `<p><small>HTTP ${String(page.status)}${escapeHtml(codeNote)} · paas router</small></p></body></html>\n`;
  return { body, contentType: 'text/html; charset=utf-8' };
}

/**
 * True when the Accept header ranks text/plain above text/html. No header, `*∕*`, or a
 * tie means HTML (what browsers and curl get).
 */
export function prefersPlainText(accept: string | undefined): boolean {
  if (accept === undefined || accept.length === 0) return false;
  let html = -1;
  let plain = -1;
  let htmlSpecificity = -1;
  let plainSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';');
    const type = range.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim() === 'q' && value !== undefined) q = Number.parseFloat(value) || 0;
    }
    const specificity = type === '*/*' ? 0 : type === 'text/*' ? 1 : 2;
    if ((type === 'text/html' || specificity < 2) && specificity > htmlSpecificity) {
      html = q;
      htmlSpecificity = specificity;
    }
    if ((type === 'text/plain' || specificity < 2) && specificity > plainSpecificity) {
      plain = q;
      plainSpecificity = specificity;
    }
  }
  return plain > 0 && plain > html;
}
