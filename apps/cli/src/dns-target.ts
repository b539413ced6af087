/**
 * What a custom domain's DNS must say to reach an app: a CNAME to the app's own host
 * name, which the platform already routes to its router; the router then picks the
 * app by the custom name.
 */

/** The host name of an app's web URL (`demo.paas.example.com`), without port. */
export function platformHostname(webUrl: string): string {
  try {
    return new URL(webUrl).hostname;
  } catch {
    return webUrl; // not a URL: show what the API sent rather than nothing
  }
}

/**
 * A name with one dot (`example.com`) is usually a zone apex, where DNS allows no
 * CNAME: providers offer ALIAS or ANAME records there instead. Heroku says the same.
 * (Apexes under two-label suffixes, `example.co.uk`, are shown as CNAME.)
 */
export function dnsRecordType(hostname: string): string {
  return hostname.split('.').length === 2 ? 'ALIAS or ANAME' : 'CNAME';
}
