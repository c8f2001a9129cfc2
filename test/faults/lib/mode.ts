/**
 * The fault suite's two forms. The short one runs inside `npm test`; the long one with
 * `npm run test:faults -- --long` (or REALNAME_FAULTS=long): the 80,000 fuzzed requests and
 * many more kills. REALNAME_FAULTS_SEED replays a run's fuzzing.
 */
export const LONG = process.env.REALNAME_FAULTS === 'long';

export const SIZES = LONG
  ? { fuzzPerDialect: 20_000, killsUnderLoad: 10, killsAfterAnswer: 10, replayBursts: 10, burst: 50, uploads: 20, identities: 2_000 }
  : { fuzzPerDialect: 1_000, killsUnderLoad: 1, killsAfterAnswer: 1, replayBursts: 2, burst: 20, uploads: 4, identities: 100 };

export const SEED = Number(process.env.REALNAME_FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** The deadlines every service of the suite runs with (seconds): short, so slow clients are quick to test. */
export const DEADLINES = { headers: 1, request: 2, keepAlive: 1 } as const;

/** A hang is no answer within the deadline plus this. */
export const GRACE_MS = 2000;
