import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGate, type GateServices, type Gate, type Refused } from '../../access/index.ts';
import { maskFactors } from '../../audit/redact.ts';
import type { Auditor } from '../../audit/types.ts';
import type { BillingTable, CheckKind, Outcome } from '../../core/index.ts';
import type { Sealer } from '../../keys/ring.ts';
import { open, seal } from '../../keys/seal.ts';
import type { Logger } from '../../log.ts';
import type { AppStore, AuditSink, BatchChunk, BatchRecord, BatchStore } from '../../store/types.ts';
import { batchRows, TooLarge, type BatchFormat, type BatchRow } from './input.ts';
import type { ChunkQueue } from './queue.ts';

/** One row's result, as the results stream carries it: its line, and its Outcome (masked factors), or why none. */
export type RowResult = { line: number } & Record<string, unknown>;

export interface BatchOptions {
  /** Rows a second this node checks at most (0: unbounded). */
  rate: number;
  maxRows: number;
  maxBytes: number;
  /** How long a batch and its results are kept (default 7 days). */
  retentionMs?: number;
  /** Rows of one chunk (default 1000): a restart repeats at most one chunk's lookups. */
  chunkRows?: number;
  /** Rows in flight at once (default 64). */
  concurrency?: number;
  /** Between two looks at a running batch's results (default 250 ms); work is looked for at most once a second. */
  pollMs?: number;
}

export class BatchError extends Error {
  constructor(
    readonly problem: 'batch_too_large' | 'bad_request',
    message: string,
  ) {
    super(message);
  }
}

export interface BatchDeps {
  store: BatchStore;
  apps: Pick<AppStore, 'get'>;
  audit: Pick<AuditSink, 'query' | 'whenStored'>;
  auditor: Auditor;
  gate: GateServices;
  billing: BillingTable;
  sealer: Sealer;
  clock: () => number;
  node: string;
  logger?: Logger;
  /** Chunks handed out to every node (PostgreSQL + Redis); without it a node runs a whole batch, leased. */
  queue?: ChunkQueue;
}

export interface Batches {
  /** Reads the upload into sealed chunks, then hands the batch to the runners. */
  create(appid: string, kind: CheckKind | null, format: BatchFormat, input: Readable): Promise<BatchRecord>;
  get(appid: string, batchId: string): Promise<BatchRecord | undefined>;
  /** Any app's batch (the operator's CLI). */
  find(batchId: string): Promise<BatchRecord | undefined>;
  /** Results in input order, as chunks finish; waits for more while the batch runs, unless `follow` is false. */
  results(batch: BatchRecord, options?: { signal?: AbortSignal; follow?: boolean }): AsyncGenerator<RowResult>;
  cancel(appid: string, batchId: string): Promise<BatchRecord | undefined>;
  /** Starts working on every batch this node can lease (resuming any a stopped node left). */
  start(): void;
  stop(): Promise<void>;
  /** What this node did: chunks it finished. */
  stats(): { chunks: number };
}

const LEASE_MS = 30_000;
const RESULT_PAGE = 8;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A row's check id: the same on every attempt, so a resumed row finds its own audit record. */
export const rowCheckId = (batchId: string, line: number) => createHash('sha256').update(`${batchId}:${line}`).digest('hex').slice(0, 32);

/** A check's result as a row of the batch: the Outcome, nothing of the factors but their masks. */
function outcomeRow(line: number, outcome: Outcome, masked: Record<string, string>): RowResult {
  const { checkId, ...rest } = outcome;
  return { line, id: checkId, ...rest, factors: masked };
}

/** The dialect a batch row's audit record names (the REST dialect's batches, answered here). */
export const BATCH_DIALECT = 'rest-batch';

export function createBatches(deps: BatchDeps, options: BatchOptions): Batches {
  const { store, clock, sealer } = deps;
  const chunkRows = options.chunkRows ?? 1000;
  const concurrency = options.concurrency ?? 64;
  const retentionMs = options.retentionMs ?? 7 * 86_400_000;
  const pollMs = options.pollMs ?? 250;
  // Batch rows are not held to the app's QPS (no rate step) but to the node's batch rate.
  const gate: Gate<undefined> = createGate(deps.gate, { dialect: BATCH_DIALECT, order: ['app', 'suspended', 'permitted', 'validate', 'daily', 'quota'], checks: { signature: () => undefined }, billing: deps.billing });
  const running = new Map<string, Promise<void>>();
  let chunksDone = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  // The node's batch rate, over every batch: the next instant a row may start.
  let nextStart = 0;
  // Batches cancelled on this node (seen at once), and the last look at the store for a cancel made on another.
  const cancelledHere = new Set<string>();
  const lastLook = new Map<string, { at: number; cancelled: Promise<boolean> }>();
  /** Whether the batch was cancelled: checked before each row, the store looked at once every pollMs at most. */
  const isCancelled = async (batchId: string): Promise<boolean> => {
    if (cancelledHere.has(batchId)) return true;
    const now = Date.now();
    let look = lastLook.get(batchId);
    if (!look || now - look.at >= pollMs) {
      look = { at: now, cancelled: store.get(batchId).then((r) => !r || r.state === 'cancelled') };
      lastLook.set(batchId, look);
    }
    return look.cancelled;
  };
  const keyOf = (record: BatchRecord) => Buffer.from(sealer.open(record.keySealed), 'base64');

  const paced = async () => {
    if (options.rate <= 0) return;
    const now = clock();
    const at = Math.max(now, nextStart);
    nextStart = at + 1000 / options.rate;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  };

  /** One row: from the audit when an earlier attempt answered it, else through the gate. */
  async function runRow(record: BatchRecord, row: BatchRow, lookup: boolean): Promise<RowResult | 'quota_exhausted' | 'cancelled'> {
    if ('error' in row) return { line: row.line, error: row.error };
    const checkId = rowCheckId(record.batchId, row.line);
    const masked = maskFactors(row.factors) as Record<string, string>;
    if (lookup) {
      const [found] = await deps.audit.query({ appid: record.appid, checkId, limit: 1 });
      if (found && found.verdict !== null) {
        return { line: row.line, id: checkId, kind: found.kind, verdict: found.verdict, source: found.source, billed: found.billed, factors: found.masked, fromAudit: true };
      }
    }
    await paced();
    // Last look before the row is checked and billed: a cancel stops the batch here, row by row.
    if (await isCancelled(record.batchId)) return 'cancelled';
    const startedAt = clock();
    const decision = await gate({ checkId, kind: row.kind, factors: row.factors, clientIp: '', appid: record.appid, at: startedAt }, undefined);
    const refused = 'outcome' in decision ? undefined : (decision as Refused);
    // Quota out: the row is not done; no audit record, so it is checked afresh once quota is added.
    if (refused?.refusal === 'quota_exhausted') return 'quota_exhausted';
    deps.auditor.record({
      checkId,
      appid: record.appid,
      dialect: BATCH_DIALECT,
      kind: row.kind,
      factors: row.factors,
      outcome: 'outcome' in decision ? decision.outcome : undefined,
      refusal: refused?.refusal,
      code: 'outcome' in decision ? decision.outcome.verdict : refused!.refusal,
      startedAt,
    });
    return 'outcome' in decision ? outcomeRow(row.line, decision.outcome, masked) : { line: row.line, id: checkId, refusal: refused!.refusal, factors: masked };
  }

  /** One chunk, rows `concurrency` at a time; its results are stored once every row's audit record is. */
  async function runChunk(record: BatchRecord, chunk: BatchChunk, key: Buffer): Promise<'done' | 'quota_exhausted' | 'stopped' | 'cancelled'> {
    const rows = JSON.parse(open(key, chunk.inputSealed!)) as BatchRow[];
    const lookup = chunk.started;
    if (!chunk.started) await store.markStarted(record.batchId, chunk.seq);
    const results: RowResult[] = new Array(rows.length);
    let next = 0;
    let outOfQuota = false;
    let cancelled = false;
    const worker = async () => {
      while (!outOfQuota && !cancelled && !stopping && next < rows.length) {
        const i = next++;
        // A row's path can resolve without I/O (memory counters, a synchronous SQLite read): yield now and
        // then, so requests served beside a batch get their turns.
        if ((i & 15) === 15) await yieldTurn();
        const result = await runRow(record, rows[i]!, lookup);
        if (result === 'quota_exhausted') outOfQuota = true;
        else if (result === 'cancelled') cancelled = true;
        else results[i] = result;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
    lastLook.delete(record.batchId);
    if (cancelled) return 'cancelled';
    if (outOfQuota) return 'quota_exhausted';
    if (stopping) return 'stopped';
    await new Promise<void>((resolve) => deps.audit.whenStored(resolve));
    const counts: Record<string, number> = {};
    for (const r of results) {
      const label = typeof r.verdict === 'string' ? r.verdict : typeof r.refusal === 'string' ? r.refusal : 'error';
      counts[label] = (counts[label] ?? 0) + 1;
    }
    await store.finishChunk(record.batchId, chunk.seq, seal(key, JSON.stringify(results)), counts, clock());
    chunksDone++;
    return 'done';
  }

  async function runBatch(batchId: string): Promise<void> {
    for (;;) {
      if (stopping || !(await store.lease(batchId, deps.node, LEASE_MS, clock()))) return;
      const record = await store.get(batchId);
      if (!record || (record.state !== 'running' && record.state !== 'quota_exhausted')) return;
      if (record.state === 'quota_exhausted') {
        const app = await deps.apps.get(record.appid);
        if (!app || (app.quota !== null && app.quota <= 0)) return;
        await store.setState(batchId, 'running', clock());
      }
      const chunk = await store.nextChunk(batchId);
      if (!chunk) {
        await store.setState(batchId, 'done', clock());
        await store.dropInput(batchId);
        return;
      }
      const outcome = await runChunk(record, chunk, keyOf(record));
      if (outcome === 'quota_exhausted') {
        await store.setState(batchId, 'quota_exhausted', clock());
        return;
      }
      // Stopping cleanly: the lease goes back, so the next node (or this one restarted) goes on at once.
      if (outcome === 'stopped') return store.unlease(batchId, deps.node);
      if (outcome === 'cancelled') return;
    }
  }

  /** The batch ends once every row is done. */
  const finishIfDone = async (batchId: string) => {
    const record = await store.get(batchId);
    if (record && record.state === 'running' && record.rowsDone >= record.rowsTotal) {
      await store.setState(batchId, 'done', clock());
      await store.dropInput(batchId);
    }
  };

  /** A quota-exhausted batch waits here until quota is added (or the batch ends). */
  const quotaBack = async (batchId: string): Promise<boolean> => {
    for (;;) {
      const record = await store.get(batchId);
      if (!record || record.state === 'done' || record.state === 'cancelled') return false;
      const app = await deps.apps.get(record.appid);
      if (app && (app.quota === null || app.quota > 0)) {
        await store.setState(batchId, 'running', clock());
        return true;
      }
      if (stopping) throw new Error('stopping');
      await new Promise((resolve) => setTimeout(resolve, pollMs * 4));
    }
  };

  /** One chunk as the queue hands it out: any node, any order; a thrown error hands it out again. */
  async function queuedChunk(batchId: string, seq: number): Promise<void> {
    for (;;) {
      const record = await store.get(batchId);
      if (!record || record.state === 'done' || record.state === 'cancelled' || record.state === 'uploading') return;
      if (record.state === 'quota_exhausted' && !(await quotaBack(batchId))) return;
      const chunk = await store.chunk(batchId, seq);
      if (!chunk || chunk.resultsSealed !== null) return finishIfDone(batchId);
      const outcome = await runChunk(record, chunk, keyOf(record));
      if (outcome === 'stopped') throw new Error('stopping');
      if (outcome === 'cancelled') return;
      if (outcome === 'done') return finishIfDone(batchId);
      await store.setState(batchId, 'quota_exhausted', clock());
    }
  }

  const tick = async () => {
    if (deps.queue) {
      // The queue hands out the chunks; this node only purges what expired.
      await store.purge(clock()).catch(() => undefined);
      return;
    }
    try {
      await store.purge(clock());
      for (const record of await store.active()) {
        if (running.has(record.batchId)) continue;
        const run = runBatch(record.batchId)
          .catch((error: unknown) => deps.logger?.error({ batchId: record.batchId, error: (error as Error).name }, 'batch: a run failed; retried'))
          .finally(() => running.delete(record.batchId));
        running.set(record.batchId, run);
      }
    } catch (error) {
      deps.logger?.warn({ error: (error as Error).name }, 'batch: could not look for work');
    }
  };

  return {
    async create(appid, kind, format, input) {
      const batchId = randomBytes(16).toString('hex');
      const key = randomBytes(32);
      const now = clock();
      const record: BatchRecord = {
        batchId,
        appid,
        kind,
        state: 'uploading',
        keySealed: sealer.seal(key.toString('base64')),
        rowsTotal: 0,
        rowsDone: 0,
        counts: {},
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
        expiresAt: now + retentionMs,
      };
      await store.create(record);
      let pending: BatchRow[] = [];
      let seq = 0;
      let total = 0;
      let firstLine = 1;
      const flush = async () => {
        if (pending.length === 0) return;
        await store.addChunk({ batchId, seq: seq++, firstLine, rows: pending.length, inputSealed: seal(key, JSON.stringify(pending)), resultsSealed: null, started: false });
        pending = [];
        await yieldTurn();
      };
      try {
        for await (const row of batchRows(input, format, kind, options.maxBytes)) {
          if (++total > options.maxRows) throw new BatchError('batch_too_large', `more than ${options.maxRows} rows`);
          if (pending.length === 0) firstLine = row.line;
          pending.push(row);
          if (pending.length >= chunkRows) await flush();
        }
        await flush();
      } catch (error) {
        // Nothing of a refused upload is kept.
        await store.setState(batchId, 'cancelled', clock());
        await store.dropInput(batchId);
        if (error instanceof BatchError) throw error;
        if (error instanceof TooLarge) throw new BatchError('batch_too_large', `over ${options.maxBytes} bytes`);
        throw new BatchError('bad_request', 'the upload is malformed or ended early: it cannot be read as ' + format.toUpperCase());
      }
      await store.setState(batchId, 'running', clock());
      if (deps.queue && seq === 0) await finishIfDone(batchId);
      else if (deps.queue) await deps.queue.enqueue(batchId, Array.from({ length: seq }, (_, i) => i));
      else void tick();
      return (await store.get(batchId))!;
    },
    async get(appid, batchId) {
      const record = await this.find(batchId);
      return record?.appid === appid ? record : undefined;
    },
    async find(batchId) {
      return /^[0-9a-f]{32}$/.test(batchId) ? store.get(batchId) : undefined;
    },
    async *results(batch, { signal, follow = true } = {}) {
      const key = keyOf(batch);
      let seq = 0;
      for (;;) {
        const chunks = await store.results(batch.batchId, seq, RESULT_PAGE);
        for (const chunk of chunks) {
          if (chunk.seq !== seq) break;
          for (const row of JSON.parse(open(key, chunk.resultsSealed!)) as RowResult[]) yield row;
          seq++;
        }
        if (chunks.length > 0 && chunks[chunks.length - 1]!.seq === seq - 1) continue;
        const now = await store.get(batch.batchId);
        if (!now || now.state === 'done' || now.state === 'cancelled' || now.state === 'uploading') {
          // Done: every chunk is there (one more look in case the last finished in between).
          if (now?.state === 'done' && (await store.results(batch.batchId, seq, 1)).length > 0) continue;
          return;
        }
        if (signal?.aborted || !follow) return;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
    async cancel(appid, batchId) {
      const record = await this.get(appid, batchId);
      if (!record) return undefined;
      cancelledHere.add(batchId);
      await store.setState(batchId, 'cancelled', clock());
      await store.dropInput(batchId);
      return store.get(batchId);
    },
    start() {
      if (timer) return;
      stopping = false;
      // Work is looked for once a second (an upload on this node starts its batch at once).
      timer = setInterval(() => void tick(), Math.max(pollMs, 1000));
      timer.unref();
      void tick();
      deps.queue?.start(queuedChunk);
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.all(running.values());
      await deps.queue?.stop();
    },
    stats: () => ({ chunks: chunksDone }),
  };
}
