import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../log.ts';

/** Chunks of batches handed out to every node (PostgreSQL + Redis): a node that dies hands its chunks on. */
export interface ChunkQueue {
  enqueue(batchId: string, seqs: readonly number[]): Promise<void>;
  /** Runs `chunk` for each chunk this node is handed; a rejection hands the chunk out again later. */
  start(chunk: (batchId: string, seq: number) => Promise<void>): void;
  stop(): Promise<void>;
}

export interface ChunkQueueOptions {
  redisUrl: string;
  /** Redis key prefix (the store's, so deployments sharing a server stay apart). */
  prefix: string;
  /** Chunks this node works on at once (default 2). */
  concurrency?: number;
  /** How long a chunk is this node's without a renewal: after it, a dead node's chunk goes to another (default 30 s). */
  lockMs?: number;
  logger?: Logger;
}

const NAME = 'batch-chunks';

/** BullMQ over Redis: one job a chunk, retried with a pause while its batch waits (quota) or its node stops. */
export function bullmqChunks(o: ChunkQueueOptions): ChunkQueue {
  const prefix = `${o.prefix}bull`;
  // Made on first use: a command that never runs a batch opens no connection (and exits).
  let connection: Redis | undefined;
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  const connect = () => {
    if (!connection) {
      connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
      connection.on('error', (error: Error) => o.logger?.warn({ error: error.name }, 'batch queue: redis'));
    }
    return connection;
  };
  const queueOf = () => (queue ??= new Queue(NAME, { connection: connect(), prefix }));
  return {
    async enqueue(batchId, seqs) {
      await queueOf().addBulk(
        seqs.map((seq) => ({
          name: 'chunk',
          data: { batchId, seq },
          opts: { jobId: `${batchId}-${seq}`, attempts: 10_000, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
        })),
      );
    },
    start(chunk) {
      if (worker) return;
      worker = new Worker(NAME, async (job) => chunk(job.data.batchId as string, job.data.seq as number), {
        connection: connect(),
        prefix,
        concurrency: o.concurrency ?? 2,
        lockDuration: o.lockMs ?? 30_000,
      });
      worker.on('error', (error: Error) => o.logger?.warn({ error: error.name }, 'batch queue: worker'));
    },
    async stop() {
      await worker?.close();
      await queue?.close();
      connection?.disconnect();
      worker = undefined;
      queue = undefined;
      connection = undefined;
    },
  };
}
