import type { Store } from '@paas/store';

import type { Logger } from './logger.js';

/**
 * On the first start without PAAS_API_TOKEN, makes the first admin's token, keeps only its
 * hash, and shows it once on stderr (never in the JSON logs).
 */
export function ensureApiToken(store: Pick<Store, 'tokens' | 'users'>, envToken: string | undefined, adminEmail: string, logger: Logger, apiUrl: string): void {
  if (envToken !== undefined || store.tokens.count() > 0) return;
  const admin = store.users.ensureFirstAdmin(adminEmail);
  const { token, record } = store.tokens.create(admin.id, { description: 'first token' });
  logger.info({ tokenId: record.id, user: admin.email }, 'api token created');
  process.stderr.write(
    [
      '',
      `  An API token was created for ${admin.email}, the first admin. It is shown this once; only its hash is kept:`,
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
