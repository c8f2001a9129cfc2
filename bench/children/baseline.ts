/**
 * The HTTP baseline: a bare Fastify server (defaults: its JSON parser, no schema) whose routes parse
 * the same JSON body and answer a JSON body of the same size and shape as Realname's.
 */
import Fastify from 'fastify';

const args = JSON.parse(process.argv[2]!) as { routes: Record<string, { code: number; message: string }> };
const app = Fastify({ logger: false });
let n = 0;
for (const [url, answer] of Object.entries(args.routes)) {
  app.post(url, async (request) => {
    const body = request.body as Record<string, unknown>;
    return { code: typeof body === 'object' ? answer.code : -1, message: answer.message, data: { session_id: (++n).toString(16).padStart(32, '0') } };
  });
}
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.send!({ type: 'ready', address });
process.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  void app.close().finally(() => process.exit(0));
});
