import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Client as FaceidClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_client';
import { signTc3 } from '../../src/protocols/tencentcloud/index.ts';

/**
 * The official Tencent Cloud Node SDK (tencentcloud-sdk-nodejs 4.1.x, the top-level devDependency —
 * image-node-sdk pulls an old 3.x of it) as a test client: its FaceID client pointed at a loopback
 * endpoint, the two lines a user changes. Only the faceid service is loaded, not the SDK's hundreds.
 */
const require = createRequire(import.meta.url);
const { Client } = require('tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_client.js') as {
  Client: new (config: ConstructorParameters<typeof FaceidClient>[0]) => FaceidClient;
};

export type { FaceidClient };

/** The SDK's own TC3 signer, to compare ours with for the same inputs (it takes the timestamp as given). */
export const sdkSign = (require('tencentcloud-sdk-nodejs/tencentcloud/common/sign.js') as {
  default: {
    sign3(input: {
      method: string;
      url: string;
      payload: unknown;
      timestamp: number;
      service: string;
      secretId: string;
      secretKey: string;
      multipart: boolean;
      headers: Record<string, string>;
    }): string;
  };
}).default;

/** The SDK's version string as it sends it in X-TC-RequestClient. */
export const SDK_VERSION = (require('tencentcloud-sdk-nodejs/tencentcloud/common/sdk_version.js') as { sdkVersion: string }).sdkVersion;

/** A plain agent: the SDK otherwise goes through process.env.http_proxy when one is set. */
const agent = new Agent({ keepAlive: false });

export function faceidClient(options: { endpoint: string; secretId: string; secretKey: string; headers?: Record<string, string> }): FaceidClient {
  return new Client({
    credential: { secretId: options.secretId, secretKey: options.secretKey },
    region: '',
    profile: { httpProfile: { protocol: 'http://', endpoint: options.endpoint, reqTimeout: 15, agent, ...(options.headers ? { headers: options.headers } : {}) } },
  });
}

/** One request as it reached the server: what a verifier sees. */
export interface CapturedRequest {
  method: string;
  /** As sent, with the query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CaptureServer {
  /** `127.0.0.1:PORT`, for the SDK's endpoint. */
  endpoint: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback server that keeps every request's method, headers and raw body and answers as the vendor
 * does (HTTP 200, {"Response":{…}}), so the SDK resolves instead of throwing.
 */
export async function startCaptureServer(answer: Record<string, unknown> = { Result: '0', Description: '认证通过' }): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Response: { ...answer, RequestId: '00000000-0000-4000-8000-000000000000' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** What a hand-signed FaceID request is made of: each field can be left out (null) or altered. */
export interface Tc3Spec {
  secretId: string;
  secretKey: string;
  body: string | Buffer;
  /** Default IdCardVerification; null: no X-TC-Action. */
  action?: string | null;
  /** Default 2018-03-01; null: no X-TC-Version. */
  version?: string | null;
  /** Unix seconds, sent and signed; default now. Null: no X-TC-Timestamp (signed with now). */
  timestamp?: number | null;
  /** The Host header (and signed host); default the server's host:port. */
  host?: string;
  /** The scope's service; default the first label of the host, as the SDK makes it. */
  service?: string;
  contentType?: string;
  /** Default content-type;host. */
  signedHeaders?: string[];
  /** Sent besides (replacing the ones made), unsigned unless named in signedHeaders. */
  headers?: Record<string, string>;
  /** Replaces the Authorization made (null: none sent). */
  authorization?: string | null;
  /** The request target; default `/`. */
  path?: string;
}

/** The headers of a request signed by the independent signer (src/protocols/tencentcloud), as the spec says. */
export function tc3Headers(spec: Tc3Spec, serverHost: string): Record<string, string> {
  const host = spec.host ?? serverHost;
  const timestamp = spec.timestamp === undefined || spec.timestamp === null ? Math.floor(Date.now() / 1000) : spec.timestamp;
  const headers: Record<string, string> = { 'content-type': spec.contentType ?? 'application/json', host };
  if (spec.action !== null) headers['x-tc-action'] = spec.action ?? 'IdCardVerification';
  if (spec.version !== null) headers['x-tc-version'] = spec.version ?? '2018-03-01';
  if (spec.timestamp !== null) headers['x-tc-timestamp'] = String(timestamp);
  Object.assign(headers, spec.headers);
  const path = spec.path ?? '/';
  const q = path.indexOf('?');
  const authorization =
    spec.authorization !== undefined
      ? spec.authorization
      : signTc3({
          request: { method: 'POST', path: q < 0 ? path : path.slice(0, q), query: q < 0 ? '' : path.slice(q + 1), headers, body: spec.body },
          secretId: spec.secretId,
          secretKey: spec.secretKey,
          service: spec.service ?? host.split('.')[0]!,
          timestamp,
          ...(spec.signedHeaders ? { signedHeaders: spec.signedHeaders } : {}),
        });
  if (authorization !== null) headers.authorization = authorization;
  return headers;
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON. */
  json: { Response: Record<string, unknown> & { Error?: { Code: string; Message: string }; RequestId: string } };
}

/** Sends exact bytes with exact headers (Host included) over loopback: what fetch will not let a test do. */
export function postRaw(endpoint: string, path: string, headers: Record<string, string>, body: string | Buffer): Promise<RawReply> {
  const [hostname, port] = endpoint.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port: Number(port), method: 'POST', path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: RawReply['json'];
        try {
          json = JSON.parse(text) as RawReply['json'];
        } catch {
          json = { Response: { RequestId: '' } };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs `spec` and sends it to the server at `endpoint` (host:port). */
export function sendTc3(endpoint: string, spec: Tc3Spec): Promise<RawReply> {
  return postRaw(endpoint, spec.path ?? '/', tc3Headers(spec, endpoint), spec.body);
}
