/**
 * Which certificate serves each custom domain: pure, from what the store holds. The newest
 * certificate that covers the name and is valid at `now` wins, so an upload or a renewal
 * takes over from the next TLS handshake, and an expired one is never chosen over a valid one.
 */
import type { TlsCertificate } from '@paas/router';

export interface StoredCertificate {
  readonly appId: string;
  readonly hostnames: readonly string[];
  readonly chain: string;
  readonly privateKey: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly createdAt: string;
}

/** Whether a certificate name (`www.example.com`, `*.example.com`) covers `hostname`. */
export function nameCovers(name: string, hostname: string): boolean {
  if (name === hostname) return true;
  if (!name.startsWith('*.')) return false;
  const dot = hostname.indexOf('.');
  return dot > 0 && hostname.slice(dot) === name.slice(1);
}

/** Custom domain → certificate, for domains some valid certificate of their own app covers. */
export function chooseCertificates(
  domains: readonly { readonly hostname: string; readonly appId: string }[],
  certificates: readonly StoredCertificate[],
  now: number,
): Map<string, TlsCertificate> {
  const chosen = new Map<string, TlsCertificate>();
  for (const domain of domains) {
    const best = certificateServing(domain, certificates, now);
    if (best !== undefined) chosen.set(domain.hostname, { chain: best.chain, key: best.privateKey });
  }
  return chosen;
}

/** The certificate serving one domain: the newest of its app's that covers it and is valid at `now`. */
export function certificateServing<T extends StoredCertificate>(
  domain: { readonly hostname: string; readonly appId: string },
  certificates: readonly T[],
  now: number,
): T | undefined {
  let best: T | undefined;
  for (const certificate of certificates) {
    if (certificate.appId !== domain.appId) continue;
    if (Date.parse(certificate.notAfter) <= now || Date.parse(certificate.notBefore) > now) continue;
    if (!certificate.hostnames.some((name) => nameCovers(name, domain.hostname))) continue;
    if (best === undefined || certificate.createdAt >= best.createdAt) best = certificate;
  }
  return best;
}
