import type { Readable } from 'node:stream';

/** Reads a whole stream as UTF-8: values given as "-" stay out of shell history and `ps`. */
export async function readAll(stream: Readable = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
