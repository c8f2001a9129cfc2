import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';
import { join } from 'node:path';
import { freshDir, samplePeople } from './dataset.ts';
import { median, run, type WireRequest } from './load.ts';
import { startRealname } from './servers.ts';

/** The same checks as one batch and as POST /v1/checks with 50 connections, in one run, on one server build. */
export interface BatchFigures {
  rows: number;
  rowsPerSec: number;
  checksRps: number;
  ratio: number;
  connections: number;
  smallRows: number;
  peakRssMbSmall: number;
  peakRssMb: number;
  rssRatio: number;
}

const CONNECTIONS = 50;

/** A JSONL file of `rows` bankcard3 rows cycling through registry people (every one a match). */
async function batchFile(rows: number, registryRows: number): Promise<string> {
  const people = samplePeople(registryRows, 1024, 17);
  const file = join(freshDir(`batch-${rows}`), 'rows.jsonl');
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i++) {
    const p = people[i % people.length]!;
    if (!out.write(`{"name":${JSON.stringify(p.name)},"idNumber":"${p.idNumber}","bankCard":"${p.bankCard}"}\n`)) await once(out, 'drain');
  }
  await new Promise((resolve) => out.end(resolve));
  return file;
}

/** Uploads the file as it is read, then polls until the batch is done; rows/s over the whole (upload included). */
async function runBatch(url: string, apiKey: string, file: string, rows: number): Promise<number> {
  const started = Date.now();
  const created = await new Promise<{ id: string }>((resolve, reject) => {
    const req = request(`${url}/v1/batches?kind=bankcard3`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 202 ? resolve(JSON.parse(body) as { id: string }) : reject(new Error(`batch upload answered ${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
  const poll = async (tries = 3): Promise<{ state: string; rows: { done: number }; counts: Record<string, number> }> => {
    try {
      return (await (await fetch(`${url}/v1/batches/${created.id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as Awaited<ReturnType<typeof poll>>;
    } catch (error) {
      // A poll's connection reset is not what is measured: ask again.
      if (tries <= 1) throw error;
      return poll(tries - 1);
    }
  };
  for (;;) {
    const status = await poll();
    if (status.state === 'done') {
      if (status.rows.done !== rows || status.counts.match !== rows) throw new Error(`batch of ${rows} rows ended with ${JSON.stringify(status)}`);
      return rows / ((Date.now() - started) / 1000);
    }
    if (status.state !== 'running') throw new Error(`batch ${created.id}: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function peakRssMb(child: Awaited<ReturnType<typeof startRealname>>['child']): Promise<number> {
  child.send({ type: 'stats' });
  return (await child.next<{ peakRssMb: number }>()).peakRssMb;
}

export async function measureBatch(o: { rows: number; smallRows: number; registryRows: number; seconds: number; rounds: number; log: (line: string) => void }): Promise<BatchFigures> {
  const big = await batchFile(o.rows, o.registryRows);
  const small = await batchFile(o.smallRows, o.registryRows);

  // The smaller batch on a server of its own: its peak RSS against the big batch's, on another.
  o.log(`batch of ${o.smallRows} rows`);
  const first = await startRealname(o.registryRows);
  let peakRssMbSmall: number;
  try {
    await runBatch(first.url, first.apiKey, small, o.smallRows);
    peakRssMbSmall = await peakRssMb(first.child);
  } finally {
    await first.child.stop();
  }

  const realname = await startRealname(o.registryRows);
  try {
    // The big batch first on this server too, so its peak RSS is the batch's alone (the checks' load comes after).
    o.log(`batch of ${o.rows} rows`);
    const batches = [await runBatch(realname.url, realname.apiKey, big, o.rows)];
    const peak = await peakRssMb(realname.child);
    o.log(`batch ${batches[0]!.toFixed(0)} rows/s, peak RSS ${peak.toFixed(0)} MB (${o.smallRows} rows: ${peakRssMbSmall.toFixed(0)} MB)`);
    const people = samplePeople(o.registryRows, 256, 19);
    const requests: WireRequest[] = people.map((p) => ({
      method: 'POST',
      path: '/v1/checks',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${realname.apiKey}` },
      body: JSON.stringify({ kind: 'bankcard3', factors: { name: p.name, idNumber: p.idNumber, bankCard: p.bankCard } }),
    }));
    o.log(`warm-up POST /v1/checks`);
    await run(realname.url, requests, { seconds: 2, connections: CONNECTIONS });
    const checks: number[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      const r = await run(realname.url, requests, { seconds: o.seconds, connections: CONNECTIONS });
      if (r.failures > 0) throw new Error(`${r.failures} failed POST /v1/checks`);
      checks.push(r.rps);
      o.log(`round ${round}: POST /v1/checks ${r.rps.toFixed(0)} req/s (${CONNECTIONS} connections)`);
      // Batches and single checks alternate: the machine's load drifts, and both see the drift.
      if (round > 1) {
        batches.push(await runBatch(realname.url, realname.apiKey, big, o.rows));
        o.log(`round ${round}: batch ${batches.at(-1)!.toFixed(0)} rows/s`);
      }
    }
    const rowsPerSec = median(batches);
    const checksRps = median(checks);
    return { rows: o.rows, rowsPerSec, checksRps, ratio: rowsPerSec / checksRps, connections: CONNECTIONS, smallRows: o.smallRows, peakRssMbSmall, peakRssMb: peak, rssRatio: peak / peakRssMbSmall };
  } finally {
    await realname.child.stop();
  }
}
