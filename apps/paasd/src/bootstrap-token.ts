import type { TokenStore } from '@paas/store';

import type { Logger } from './logger.js';

/**
 * On the first start without PAAS_API_TOKEN, makes an admin token, keeps only its hash,
 * and shows it once on stderr (never in the JSON logs).
 */
export function ensureApiToken(tokens: TokenStore, envToken: string | undefined, logger: Logger, apiUrl: string): void {
  if (envToken !== undefined || tokens.count() > 0) return;
  const { token, record } = tokens.create('admin');
  logger.info({ tokenId: record.id }, 'api token created');
  process.stderr.write(
    [
      '',
      '  An API token was created for you. It is shown this once; only its hash is kept:',
      '',
      `    ${token}`,
      '',
      '  Log in with it:',
      `    PAAS_API_URL=${apiUrl} npx paas login --token ${token}`,
      '',
      '',
    ].join('\n'),
  );
}
