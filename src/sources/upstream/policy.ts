/**
 * Factors travel to a vendor over https. Plain http is allowed only to a loopback address (a gateway on the
 * same machine, a test) or where the operator said `--insecure`. Returns why an endpoint is refused, or undefined.
 */
export function endpointProblem(endpoint: string, insecure: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'the endpoint is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the endpoint must be http(s)://host[:port][/path]';
  if (url.username || url.password) return 'credentials never go into the endpoint URL: they are read from stdin';
  if (url.search || url.hash) return 'the endpoint takes no query or fragment';
  if (url.protocol === 'http:' && !insecure && !isLoopback(url.hostname)) {
    return 'plain http is only for a loopback endpoint; use https, or --insecure to send factors unencrypted';
  }
  return undefined;
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
