// RFC 9110 §11.1: the scheme is case-insensitive (bearer, BEARER); one space, then the token.
const BEARER = /^Bearer ([^\s]+)$/i;

/** What the Authorization header carries: nothing, something else, or a token to verify. */
export function bearerOf(header: string | string[] | undefined): 'missing' | 'malformed' | { token: string } {
  if (header === undefined || (typeof header === 'string' && header.trim() === '')) return 'missing';
  if (typeof header !== 'string') return 'malformed';
  const token = BEARER.exec(header.trim())?.[1];
  return token === undefined ? 'malformed' : { token };
}
