/**
 * TLS contexts for the HTTPS listener, made from the table's PEM certificates once and
 * reused: a context per distinct certificate, dropped when the table no longer holds it.
 */
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';

import { certificateFor, type EdgeState, type TlsCertificate } from './route-table.js';

export interface SecureContexts {
  /** The context for a server name (SNI): the table's certificate for it, else the platform's. */
  forServerName(table: EdgeState, serverName: string): SecureContext;
  /** Options for the server's default context (clients that send no server name). */
  platformOptions(): SecureContextOptions;
  setPlatform(certificate: TlsCertificate): void;
  /** Forgets contexts of certificates no longer in the table. */
  prune(table: EdgeState): void;
}

/** HTTP/1.1 only: the router does not speak HTTP/2. */
const ALPN = ['http/1.1'];

export function createSecureContexts(platform: TlsCertificate): SecureContexts {
  let platformCertificate = platform;
  let platformContext = createSecureContext(optionsOf(platform));
  /** Keyed by the chain's PEM: a table rebuilt with the same certificate reuses its context. */
  const contexts = new Map<string, SecureContext>();

  return {
    forServerName(table, serverName) {
      const certificate = certificateFor(table, serverName);
      if (certificate === undefined) return platformContext;
      let context = contexts.get(certificate.chain);
      if (context === undefined) {
        context = createSecureContext(optionsOf(certificate));
        contexts.set(certificate.chain, context);
      }
      return context;
    },
    platformOptions: () => optionsOf(platformCertificate),
    setPlatform(certificate) {
      platformContext = createSecureContext(optionsOf(certificate));
      platformCertificate = certificate;
    },
    prune(table) {
      const inUse = new Set<string>();
      for (const certificate of table.certificates.values()) inUse.add(certificate.chain);
      for (const chain of contexts.keys()) if (!inUse.has(chain)) contexts.delete(chain);
    },
  };
}

function optionsOf(certificate: TlsCertificate): SecureContextOptions & { ALPNProtocols: string[] } {
  return { cert: certificate.chain, key: certificate.key, ALPNProtocols: ALPN };
}
