import { Agent, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Client as FaceidClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/faceid/v20180301/faceid_client';

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
