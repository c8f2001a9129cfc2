import { signSubmail } from '../../src/protocols/submail/signature.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';

/** What `apps create --json` prints. */
export interface CreatedApp {
  appid: string;
  bucket: string;
  secretId: string;
  secretKey: string;
  appkey: string;
}

export interface Who {
  name: string;
  idNumber: string;
  bankCard?: string;
}

/** A Tencent image check (/auth/idcard, or /auth/idbankcard with a card) over real HTTP; returns the code. */
export async function tencentCheck(url: string, app: CreatedApp, who: Who, options: { bucket?: string } = {}): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const bucket = options.bucket ?? app.bucket;
  const authorization = signAuthorization({ appid: app.appid, bucket, secretId: app.secretId, secretKey: app.secretKey, expiry: now + 600, now, rand: 7 });
  const body: Record<string, string> = { appid: app.appid, bucket, idcard_number: who.idNumber, idcard_name: who.name };
  if (who.bankCard) body.bankcard_number = who.bankCard;
  const answer = await fetch(`${url}/auth/${who.bankCard ? 'idbankcard' : 'idcard'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  return ((await answer.json()) as { code: number }).code;
}

/** A SUBMAIL /factor/idcard check, signed with `appkey` at `timestamp` (seconds); returns the body. */
export async function submailCheck(url: string, app: { appid: string; appkey: string }, who: Who, timestamp = Math.floor(Date.now() / 1000)): Promise<Record<string, unknown>> {
  const signed = { name: who.name, idNo: who.idNumber, timestamp: String(timestamp) };
  const answer = await fetch(`${url}/factor/idcard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appid: app.appid, ...signed, signature: signSubmail(app.appkey, signed) }),
  });
  return (await answer.json()) as Record<string, unknown>;
}

/** Polls until `probe` is true (a server's view settles within its 1 s caches); fails after `ms`. */
export async function eventually(probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > until) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
