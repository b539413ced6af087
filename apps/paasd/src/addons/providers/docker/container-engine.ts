import type { BindingCredentials, InstanceRecord } from '../local/instance-record.js';

/** What runs one add-on's container, and what the platform's admin work inside it is. */
export interface ContainerEngine {
  /** The container's command, user and environment (no credential in plain text). */
  container(instance: InstanceRecord): { cmd: string[]; user: string; env: string[]; mount: string; stopSignal: string; port: number };
  ready(instance: InstanceRecord): Promise<boolean>;
  /** After the first start: the database and the role that owns it. */
  setUp(instance: InstanceRecord): Promise<void>;
  /** Makes (or makes again, idempotently) a binding's user and returns its URL. */
  bind(instance: InstanceRecord, credentials: BindingCredentials, host: string): Promise<string>;
  /** Removes the user and ends its connections. */
  unbind(instance: InstanceRecord, credentials: BindingCredentials): Promise<void>;
  info(instance: InstanceRecord): Promise<Record<string, string>>;
}

/** `paas-addon-<id>`: the container's name, which is also the host name apps reach it by, and its volume's name. */
export const addonContainerName = (id: string): string => `paas-addon-${id}`;
