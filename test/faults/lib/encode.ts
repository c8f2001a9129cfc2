import type { Draft, Encoding } from '../dialects/types.ts';
import { httpRequest } from '../../helpers/wire.ts';

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/** A body as the vendor's clients send it: JSON, urlencoded or multipart. */
export function encodeBody(fields: Record<string, unknown>, encoding: Encoding, boundary = 'realname-faults-boundary'): { body: Buffer; contentType: string } {
  switch (encoding) {
    case 'json':
      return { body: Buffer.from(JSON.stringify(fields), 'utf8'), contentType: 'application/json' };
    case 'form':
      return {
        body: Buffer.from(new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, text(v)])).toString(), 'utf8'),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'multipart': {
      const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${text(v)}\r\n`);
      return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'), contentType: `multipart/form-data; boundary=${boundary}` };
    }
  }
}

/** A draft as the bytes of one HTTP/1.1 request; `close` asks the server to close the connection after answering. */
export function draftBytes(draft: Draft, encoding: Encoding, close = true): Buffer {
  const { body, contentType } = encodeBody(draft.fields, encoding);
  return httpRequest('POST', draft.path, { 'content-type': contentType, ...draft.headers, ...(close ? { connection: 'close' } : {}) }, body);
}
