import type { Logger } from '../../logger.js';
import type { Operation } from '../provider.js';

/**
 * The provisions under way or ended since start, each a polled operation (OSB's
 * `last_operation`): what every provider keeps the same way, whatever runs its servers.
 */
export interface ProvisionOperations {
  /** The operation of `id` while this paasd knows it. */
  get(id: string): Operation | undefined;
  /** Starts `work` as the provision of `id` and answers its operation, in progress. */
  start(id: string, description: string, work: () => Promise<void>): Operation;
  forget(id: string): void;
}

export function createProvisionOperations(logger: Logger): ProvisionOperations {
  const operations = new Map<string, Operation>();
  return {
    get: (id) => operations.get(id),
    start(id, description, work) {
      const running: Operation = { state: 'in progress', description };
      operations.set(id, running);
      work().then(
        () => operations.set(id, { state: 'succeeded', description: 'provisioned' }),
        (error: unknown) => {
          logger.error({ err: error, addon: id }, 'add-on provisioning failed');
          operations.set(id, { state: 'failed', description: error instanceof Error ? error.message : String(error) });
        },
      );
      return running;
    },
    forget: (id) => void operations.delete(id),
  };
}
