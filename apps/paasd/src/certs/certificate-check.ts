/**
 * What a certificate is and whether it can serve an app: read with node's X509Certificate,
 * checked before it is stored. Each refusal says what is wrong and what to do about it.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { rootCertificates } from 'node:tls';

import { invalidParams } from '@paas/core';
import type { NewCertificate } from '@paas/store';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM chain, leaf first; unreadable ones are refused. */
export function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw invalidParams('No certificate found: give the certificate chain as PEM (-----BEGIN CERTIFICATE-----), the server certificate first.');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw invalidParams(`Certificate ${String(i + 1)} of the chain cannot be read: it is not a valid PEM X.509 certificate.`);
    }
  });
}

/** The DNS names a certificate covers (its subjectAltName, else its CN). */
export function namesOf(cert: X509Certificate): string[] {
  const names = (cert.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  if (names.length > 0) return names;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return cn === undefined ? [] : [cn.toLowerCase()];
}

/** The issuer's common name (or its whole subject line when it has none). */
export function issuerOf(cert: X509Certificate): string {
  return /(?:^|\n)CN=([^\n]+)/.exec(cert.issuer)?.[1] ?? cert.issuer.replace(/\n/g, ', ');
}

/** Whether `cert` covers `hostname`, wildcards included (one label deep). */
export function covers(cert: X509Certificate, hostname: string): boolean {
  return cert.checkHost(hostname, { wildcards: true, partialWildcards: false, subject: 'default' }) !== undefined;
}

function readKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw invalidParams('The private key cannot be read: give it as unencrypted PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----).');
  }
}

let trustedRoots: X509Certificate[] | undefined;

/** Whether `cert` is signed by one of node's bundled root CAs. */
function issuedByTrustedRoot(cert: X509Certificate): boolean {
  trustedRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return trustedRoots.some((root) => cert.checkIssued(root) && cert.verify(root.publicKey));
}

export interface CertificateCheck {
  readonly chain: string;
  readonly privateKey: string;
  /** The app's custom domains: the certificate must cover at least one. */
  readonly domains: readonly string[];
  readonly now: Date;
}

/**
 * Checks an uploaded certificate: the key matches, the chain is complete (each one signed
 * by the next, ending at a root: its own or one node trusts), it is valid now, and it
 * covers one of the app's custom domains. Returns what the store keeps.
 */
export function checkCertificate({ chain, privateKey, domains, now }: CertificateCheck): NewCertificate {
  const certs = parseChain(chain);
  const leaf = certs[0] as X509Certificate;
  const key = readKey(privateKey);
  if (!leaf.checkPrivateKey(key)) throw invalidParams('The private key does not match the certificate: give the key the certificate was issued for.');
  for (let i = 0; i + 1 < certs.length; i += 1) {
    const cert = certs[i] as X509Certificate;
    const next = certs[i + 1] as X509Certificate;
    if (!cert.checkIssued(next) || !cert.verify(next.publicKey)) {
      throw invalidParams(`The chain is out of order: certificate ${String(i + 1)} (${cert.subject.replace(/\n/g, ', ')}) is not issued by the next one (${next.subject.replace(/\n/g, ', ')}). Give the server certificate first, then each intermediate.`);
    }
  }
  const last = certs[certs.length - 1] as X509Certificate;
  const selfSigned = last.checkIssued(last) && last.verify(last.publicKey);
  if (!selfSigned && !issuedByTrustedRoot(last)) {
    throw invalidParams(`The chain is incomplete: nothing after "${issuerOf(last)}"'s certificate for ${last.subject.replace(/\n/g, ', ')}. Append the intermediate certificates your CA gave you (the "chain" or "bundle" file) after the server certificate.`);
  }
  for (const cert of certs) {
    if (Date.parse(cert.validTo) <= now.getTime()) throw invalidParams(`The certificate for ${cert.subject.replace(/\n/g, ', ')} expired on ${new Date(cert.validTo).toISOString()}: renew it with your CA.`);
    if (Date.parse(cert.validFrom) > now.getTime()) throw invalidParams(`The certificate for ${cert.subject.replace(/\n/g, ', ')} is not valid before ${new Date(cert.validFrom).toISOString()}.`);
  }
  const names = namesOf(leaf);
  if (domains.length === 0) throw invalidParams('The app has no custom domains: add one first (paas domains:add www.example.com), then its certificate.');
  const covered = domains.filter((domain) => covers(leaf, domain));
  if (covered.length === 0) {
    throw invalidParams(`The certificate covers ${names.join(', ') || 'no names'}, none of the app's domains (${domains.join(', ')}): add the domain first, or upload a certificate for it.`);
  }
  return {
    hostnames: names,
    chain: certs.map((cert) => cert.toString()).join(''),
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    issuer: issuerOf(leaf),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
  };
}
