import { XMLBuilder } from 'fast-xml-parser';

/** `.json` (and the bare route) answer JSON; `.xml` answers the same content as XML. */
export type Format = 'json' | 'xml';

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

const xml = new XMLBuilder({ ignoreAttributes: false, format: false });
const DECLARATION = { '@_version': '1.0', '@_encoding': 'UTF-8' };

/** The wire bytes of an answer: `{…}`, or `<?xml …?><root>…</root>` with the same fields in the same order. */
export function render(format: Format, body: Record<string, unknown>): string {
  return format === 'xml' ? xml.build({ '?xml': DECLARATION, root: body }) : JSON.stringify(body);
}

/** The format a route URL asks for. */
export function formatOf(url: string | undefined): Format {
  return url?.endsWith('.xml') ? 'xml' : 'json';
}

/** Every route is served bare (JSON), as `.json` and as `.xml`. */
export const FORMAT_SUFFIXES = ['', '.json', '.xml'] as const;
