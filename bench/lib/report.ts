import type { BatchFigures } from './batch.ts';
import type { ValidationFigures } from './validation.ts';

export interface RouteFigures {
  rps: number;
  baselineRps: number;
  ratio: number;
  /** Median of the per-round ratios. */
  roundRatio: number;
  p50Ms: number;
  p99Ms: number;
  baselineP50Ms: number;
  baselineP99Ms: number;
  halfRate: number;
  p99AtHalfMs: number;
  baselineP99AtHalfMs: number;
  p99AtHalfRatio: number;
}

import type { ScaleoutFigures, StallFigures } from './scaleout.ts';

export interface Figures {
  mode: 'quick' | 'full';
  seconds: number;
  routes?: Record<string, RouteFigures>;
  import?: {
    rows: number;
    rowsPerSec: number;
    baselineRowsPerSec: number;
    ratio: number;
    peakRssMb: number;
    /** Peak RSS importing the smaller file (100,000 rows in a full run). */
    peakRssMb100k: number;
    rowsSmall: number;
    rssRatio: number;
  };
  scaling?: { latency10kMs: number; latency1mMs: number; ratio: number; rowsSmall: number; rows: number };
  validation?: ValidationFigures;
  scaleout?: ScaleoutFigures;
  stalls?: StallFigures;
  /** A check answered by an upstream Realname through a Realname gateway, against the upstream asked directly. */
  gateway?: { checks: number; directMs: number; gatewayMs: number; addedMs: number; gatewayCpuUsPerCheck: number };
  /** A batch of bankcard3 rows against the same checks through POST /v1/checks (50 connections), one server. */
  batch?: BatchFigures;
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const f2 = (v: number) => v.toFixed(2);
const f3 = (v: number) => v.toFixed(3);
const verdict = (ok: boolean) => (ok ? 'holds' : '**misses**');

/** The markdown BENCHMARKS.md carries: one table per section measured, each target with whether it holds. */
export function renderTable(f: Figures): string {
  const out: string[] = [];
  if (f.routes) renderRoutes(out, f.mode, f.routes);
  if (f.import) renderImport(out, f.import);
  if (f.scaling) renderScaling(out, f.scaling);
  if (f.validation) renderValidation(out, f.validation);
  if (f.gateway) renderGateway(out, f.gateway);
  if (f.batch) renderBatch(out, f.batch);
  if (f.scaleout) renderScaleout(out, f.scaleout);
  if (f.stalls) renderStalls(out, f.stalls);
  out.push('', `(${f.seconds.toFixed(0)} s)`, '');
  return out.join('\n');
}

function renderRoutes(out: string[], mode: Figures['mode'], routes: Record<string, RouteFigures>): void {
  out.push(`### HTTP (${mode} run; medians; Realname vs bare Fastify, same requests)`, '');
  out.push('| route | Realname req/s | baseline req/s | ratio (target >= 0.6) | median per-round ratio | p50 ms | p99 ms | baseline p50 / p99 ms | fixed rate req/s | p99 @ rate ms | baseline p99 @ rate ms | p99 ratio (target <= 2) |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [path, r] of Object.entries(routes)) {
    out.push(
      `| \`${path}\` | ${n0(r.rps)} | ${n0(r.baselineRps)} | ${f2(r.ratio)} (${verdict(r.ratio >= 0.6)}) | ${f2(r.roundRatio)} | ${f3(r.p50Ms)} | ${f3(r.p99Ms)} | ${f3(r.baselineP50Ms)} / ${f3(r.baselineP99Ms)} | ${n0(r.halfRate)} | ${f3(r.p99AtHalfMs)} | ${f3(r.baselineP99AtHalfMs)} | ${f2(r.p99AtHalfRatio)} (${verdict(r.p99AtHalfRatio <= 2)}) |`,
    );
  }
}

function renderImport(out: string[], i: NonNullable<Figures['import']>): void {
  out.push('', `### Registry import (${n0(i.rows)} rows)`, '');
  out.push('| figure | value | target |', '|---|---:|---|');
  out.push(`| \`registry import\` rows/s | ${n0(i.rowsPerSec)} | |`);
  out.push(`| bare better-sqlite3 insert of the same rows pre-hashed, rows/s | ${n0(i.baselineRowsPerSec)} | |`);
  out.push(`| ratio | ${f2(i.ratio)} | >= 0.5: ${verdict(i.ratio >= 0.5)} |`);
  out.push(`| peak RSS, ${n0(i.rows)} rows | ${f2(i.peakRssMb)} MiB | |`);
  out.push(`| peak RSS, ${n0(i.rowsSmall)} rows | ${f2(i.peakRssMb100k)} MiB | |`);
  out.push(`| RSS ratio | ${f2(i.rssRatio)} | <= 1.2: ${verdict(i.rssRatio <= 1.2)} |`);
}

function renderScaling(out: string[], s: NonNullable<Figures['scaling']>): void {
  out.push('', '### Registry size (one check at a time, `/auth/idbankcard`, median)', '');
  out.push('| figure | value | target |', '|---|---:|---|');
  out.push(`| latency, ${n0(s.rowsSmall)}-row registry | ${f3(s.latency10kMs)} ms | |`);
  out.push(`| latency, ${n0(s.rows)}-row registry | ${f3(s.latency1mMs)} ms | |`);
  out.push(`| ratio | ${f2(s.ratio)} | <= 1.3: ${verdict(s.ratio <= 1.3)} |`);
}

function renderValidation(out: string[], v: ValidationFigures): void {
  out.push('', `### Offline validation (${n0(v.corpus)} synthetic ID numbers)`, '');
  out.push('| validator | IDs/s | disagreements with Realname |', '|---|---:|---:|');
  out.push(`| Realname | ${n0(v.idsPerSec)} | — |`);
  for (const [name, p] of Object.entries(v.peers)) out.push(`| \`${name}\` | ${n0(p.idsPerSec)} | ${n0(p.disagreements.count)} |`);
  out.push('', `Realname bank cards: ${n0(v.cardsPerSec)} cards/s (BIN lookup + Luhn; the peers do not check cards).`, '');
  out.push('| package | value | Realname | package says | count | why Realname is right |', '|---|---|---|---|---:|---|');
  for (const [name, p] of Object.entries(v.peers)) {
    for (const e of p.disagreements.examples) {
      out.push(`| \`${name}\` | \`${e.value}\` | ${e.ours} | ${e.theirs} | ${n0(p.disagreements.byWhy[e.why] ?? 0)} | ${e.why} |`);
    }
  }
}

function renderBatch(out: string[], b: BatchFigures): void {
  out.push('', `### Batches: ${n0(b.rows)} rows against POST /v1/checks`, '', '| measure | value |', '| --- | --- |');
  out.push(`| batch (bankcard3, registry matches; upload to done) | ${n0(b.rowsPerSec)} rows/s |`);
  out.push(`| the same checks, POST /v1/checks, ${b.connections} connections | ${n0(b.checksRps)} req/s |`);
  out.push(`| batch / single checks | ${f2(b.ratio)} |`);
  out.push(`| server peak RSS, ${n0(b.smallRows)}-row batch → ${n0(b.rows)}-row batch | ${n0(b.peakRssMbSmall)} MB → ${n0(b.peakRssMb)} MB (×${f2(b.rssRatio)}) |`);
}

function renderGateway(out: string[], g: NonNullable<Figures['gateway']>): void {
  out.push('', `### Gateway (one check at a time, \`/auth/idbankcard\`, ${n0(g.checks)} checks each after the warm-up, median)`, '');
  out.push('| figure | value |', '|---|---:|');
  out.push(`| upstream Realname asked directly | ${f3(g.directMs)} ms |`);
  out.push(`| the same upstream through a Realname gateway (\`tencent-image\` source, cache off) | ${f3(g.gatewayMs)} ms |`);
  out.push(`| latency the gateway adds | ${f3(g.addedMs)} ms |`);
  out.push(`| gateway CPU a check | ${n0(g.gatewayCpuUsPerCheck)} µs |`);
}

function renderScaleout(out: string[], f: ScaleoutFigures): void {
  out.push('', `### Scale-out (${n0(f.rows)}-row registry, /auth/idbankcard, each server on one core)`, '');
  out.push('| figure | value | target |', '|---|---:|---|');
  out.push(`| SQLite req/s | ${n0(f.sqliteRps)} | |`);
  out.push(`| PostgreSQL + Redis req/s | ${n0(f.postgresRps)} | |`);
  out.push(`| PostgreSQL + Redis / SQLite | ${f2(f.ratio)} | >= 0.5 (${verdict(f.ratio >= 0.5)}) |`);
  out.push(`| counter store writes per 1,000 checks, SQLite / PostgreSQL | ${f2(f.writesPer1000.sqlite)} / ${f2(f.writesPer1000.postgres)} | <= 10 (${verdict(Math.max(f.writesPer1000.sqlite, f.writesPer1000.postgres) <= 10)}) |`);
  out.push(`| SQLite --workers 1 / 2 req/s | ${n0(f.workers.sqlite1)} / ${n0(f.workers.sqlite2)} | as measured (2 cores shared with the load generator) |`);
  out.push(`| PostgreSQL --workers 1 / 2 req/s | ${n0(f.workers.postgres1)} / ${n0(f.workers.postgres2)} | as measured |`);
}

function renderStalls(out: string[], f: StallFigures): void {
  out.push('', `### Stalls (${n0(f.rate)} req/s for ${f.seconds} s, half of Realname's maximum, alternating segments with the baseline)`, '');
  out.push('| figure | Realname | baseline | target |', '|---|---:|---:|---|');
  out.push(`| server event-loop delay max / p99 ms | ${f3(f.eventLoopMaxMs)} / ${f3(f.eventLoopP99Ms)} | | max <= 100 (${verdict(f.eventLoopMaxMs <= 100)}) |`);
  out.push(`| client p99 ms | ${f3(f.p99Ms)} | ${f3(f.baselineP99Ms)} | <= 2x (${verdict(f.p99Ms <= 2 * f.baselineP99Ms)}) |`);
  out.push(`| client max ms | ${f3(f.maxMs)} | ${f3(f.baselineMaxMs)} | beside the baseline's |`);
}
