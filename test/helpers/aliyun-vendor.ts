import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyRequest } from '../../src/protocols/aliyun/signature.ts';

/** One identity the loopback vendor knows (synthetic). */
export interface VendorPerson {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

export interface AliyunVendor {
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Every action answered, in order. */
  calls: string[];
  /** Every refusal of a signature, in order. */
  refusals: string[];
  close(): Promise<void>;
}

/** The vendor's published answer shape (DOC-ID2, DOC-BANK, DOC-MOB3 examples): Code "200", Message "success", ResultObject. */
function answer(resultObject: Record<string, string>) {
  return { RequestId: randomUUID().toUpperCase(), Message: 'success', Code: '200', ResultObject: resultObject };
}

const flatten = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k.toLowerCase(), v]] : [])));

/**
 * cloudauth 2019-03-07 on loopback, as the vendor documents it: POST /, the action in x-acs-action, RPC
 * parameters in the query string or a form body, ACS3-HMAC-SHA256 verified exactly (signed headers,
 * body hash, 15-minute date window, nonce used once), the vendor's own error codes for a bad signature.
 * It answers from the people it knows: BizCode 1 (with SubCode 101 for bank cards), 2 (SubCode 201 for a
 * mismatch), 3 for an ID number it has no record of.
 */
export async function startAliyunVendor(people: readonly VendorPerson[]): Promise<AliyunVendor> {
  const accessKeyId = 'LTAI5tSyntheticKeyId';
  const accessKeySecret = 'synthetic-access-key-secret-0001';
  const calls: string[] = [];
  const refusals: string[] = [];
  const nonces = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://vendor');
      const headers = flatten(req.headers);
      const query = Object.fromEntries(url.searchParams);
      const send = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(json));
      const verified = verifyRequest(
        { method: req.method ?? 'POST', path: url.pathname, query, headers, body, authorization: headers.authorization, nowMs: Date.now() },
        (id) => (id === accessKeyId ? accessKeySecret : undefined),
      );
      const nonce = headers['x-acs-signature-nonce'] ?? '';
      const refusal = !verified.ok ? verified.refusal : nonces.has(nonce) ? 'SignatureNonceUsed' : undefined;
      if (refusal) {
        refusals.push(refusal);
        const status = refusal === 'InvalidAccessKeyId.NotFound' ? 404 : 400;
        send(status, { RequestId: randomUUID().toUpperCase(), HostId: 'cloudauth.aliyuncs.com', Code: refusal, Message: `Specified signature is not matched with our calculation.` });
        return;
      }
      nonces.add(nonce);
      const params: Record<string, string> = { ...query, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
      const action = headers['x-acs-action'] ?? '';
      calls.push(action);
      const known = people.find((p) => p.idNumber === params.IdentifyNum);
      if (action === 'Id2MetaVerify') {
        if (!params.IdentifyNum || !params.UserName) return send(200, { RequestId: randomUUID(), Code: '400', Message: '参数不能为空' });
        return send(200, answer({ BizCode: !known ? '3' : known.name === params.UserName ? '1' : '2' }));
      }
      if (action === 'BankMetaVerify') {
        if (!params.BankCard || !params.UserName || !params.ProductType) return send(200, { RequestId: randomUUID(), Code: '400', Message: '参数不能为空' });
        const holder = people.find((p) => p.bankCard === params.BankCard);
        if (!holder) return send(200, answer({ BizCode: '3', SubCode: '301' }));
        const same = holder.name === params.UserName && (params.IdentifyNum === undefined || holder.idNumber === params.IdentifyNum);
        return send(200, answer(same ? { BizCode: '1', SubCode: '101' } : { BizCode: '2', SubCode: '201' }));
      }
      if (action === 'Mobile3MetaSimpleVerify') {
        if (!known) return send(200, answer({ BizCode: '3', IspName: 'CMCC' }));
        return send(200, answer({ BizCode: known.name === params.UserName && known.phone === params.Mobile ? '1' : '2', IspName: 'CMCC' }));
      }
      send(404, { RequestId: randomUUID(), Code: 'InvalidAction.NotFound', Message: 'Specified api is not found, please check your url and method.' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessKeyId,
    accessKeySecret,
    calls,
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
