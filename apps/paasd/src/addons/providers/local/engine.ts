import type { InstanceRecord, BindingCredentials } from './instance-record.js';

/** One kind of server the local provider runs (postgres, redis). */
export interface LocalEngine {
  /** Makes the data dir and config before the first start (initdb, redis.conf). */
  initialize(instance: InstanceRecord): Promise<void>;
  /** The command line of the server; called before every start. */
  command(instance: InstanceRecord): { command: string; args: string[]; stopSignal: NodeJS.Signals; env?: Record<string, string> };
  /** Called before every start (redis rewrites its config with the current users). */
  beforeStart?(instance: InstanceRecord): Promise<void>;
  ready(instance: InstanceRecord): Promise<boolean>;
  /** After the first start: the database and the role that owns it. */
  setUp(instance: InstanceRecord): Promise<void>;
  /** Makes (or makes again, idempotently) a binding's user and returns its URL. */
  bind(instance: InstanceRecord, credentials: BindingCredentials): Promise<string>;
  /** Removes the user and ends its connections. */
  unbind(instance: InstanceRecord, credentials: BindingCredentials): Promise<void>;
  info(instance: InstanceRecord): Promise<Record<string, string>>;
}
