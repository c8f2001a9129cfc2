import type Database from 'better-sqlite3';

/** The registry's layout, also used for the staging table of a replace. */
export function registryTableSql(table: string): string {
  // WITHOUT ROWID: rows live in the primary-key b-tree itself, so a lookup by ID hash is one
  // b-tree descent and 1M rows cost no second index. card_hash x'' stands for "no card".
  return `CREATE TABLE ${table} (
    id_hash BLOB NOT NULL,
    card_hash BLOB NOT NULL,
    name_hash BLOB NOT NULL,
    phone_hash BLOB,
    key_id TEXT NOT NULL,
    norm_version INTEGER NOT NULL,
    PRIMARY KEY (id_hash, card_hash)
  ) WITHOUT ROWID`;
}

/**
 * The registry's index by bank card, for checks without an ID number (bankcard2), also built on the
 * staging table of a replace (named after it: SQLite cannot rename an index, so after a replace the
 * live table's card index carries the stage's name — find it by tbl_name, not by name). Partial: rows
 * without a card are not in it, so a registry of ID numbers and names only pays nothing for it.
 * Covering the name hash: a check reads the index alone. Shipped in migration 4: never change it here.
 */
export function registryCardIndexSql(table: string): string {
  return `CREATE INDEX IF NOT EXISTS ${table}_by_card ON ${table} (card_hash, name_hash) WHERE length(card_hash) > 0`;
}

/** SQL, or a function where SQLite's SQL cannot say "if not there yet". */
type Migration = string | ((db: Database.Database) => void);

/** Append-only: migration N brings the schema from version N to N + 1. Never edit a shipped entry. */
const MIGRATIONS: Migration[] = [
  `CREATE TABLE apps (
     appid TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     bucket TEXT NOT NULL,
     buckets TEXT NOT NULL,
     qps INTEGER,
     quota INTEGER,
     checks TEXT,
     ip_allow TEXT,
     suspended INTEGER NOT NULL,
     replay_guard INTEGER NOT NULL,
     appkey_sealed TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE secrets (
     secret_id TEXT PRIMARY KEY,
     appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
     secret_key_sealed TEXT NOT NULL,
     revoked INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX secrets_by_app ON secrets(appid);
   ${registryTableSql('registry')};
   CREATE TABLE rate (key TEXT PRIMARY KEY, times BLOB NOT NULL, last_at REAL NOT NULL);
   CREATE INDEX rate_by_last ON rate(last_at);
   CREATE TABLE nonces (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX nonces_by_expiry ON nonces(expires_at);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY,
     check_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     appid TEXT,
     dialect TEXT NOT NULL,
     kind TEXT,
     verdict TEXT,
     code TEXT NOT NULL,
     masked TEXT NOT NULL,
     source TEXT,
     billed INTEGER NOT NULL,
     latency_ms REAL NOT NULL
   );
   CREATE INDEX audit_by_time ON audit(at, seq);
   CREATE INDEX audit_by_app ON audit(appid, at, seq);`,
  // The sliding window as one row per admission, numbered per key: a check reads and writes O(1) rows
  // instead of the whole window's times (80 KB a request at 10,000 req/s). Windows last a second, so the
  // old table's contents are not worth carrying over. No index on last_at: one row per key is a small
  // table for the occasional purge scan, and the index would be rewritten by every check.
  `DROP TABLE rate;
   CREATE TABLE rate (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, last_at REAL NOT NULL);
   CREATE TABLE rate_admissions (
     key TEXT NOT NULL,
     n INTEGER NOT NULL,
     at REAL NOT NULL,
     PRIMARY KEY (key, n)
   ) WITHOUT ROWID;`,
  // The sliding window as admissions counted per instant, one row per key (rate-window.ts): one turn's
  // checks of a key read and rewrite one row, and its commit writes one page for it, instead of a few
  // rows per admission over three pages. Windows last a second, so the old tables' contents are not
  // worth carrying over. A rowid table: a row of a busy key (a few KB) stays in its page.
  `DROP TABLE rate_admissions;
   DROP TABLE rate;
   CREATE TABLE rate (
     key TEXT PRIMARY KEY,
     total INTEGER NOT NULL,
     last_at REAL NOT NULL,
     last_n INTEGER NOT NULL,
     first_at REAL,
     hits BLOB NOT NULL
   );`,
  // The gate's refusal reason beside the wire code, so counts by reason are a query.
  `ALTER TABLE audit ADD COLUMN refusal TEXT;`,
  // bankcard2 (name + bank card) looks a card's holders up without an ID number.
  `${registryCardIndexSql('registry')};`,
  // Identity daily limits (per app, off by default) and each identity's count of the day, by keyed hash.
  // Idempotent: a file whose version was set back (restored from a copy, say) may hold the columns already.
  (db) => {
    const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('apps')").pluck().all());
    for (const column of ['daily_per_id', 'daily_per_name']) if (!columns.has(column)) db.exec(`ALTER TABLE apps ADD COLUMN ${column} INTEGER`);
    db.exec('CREATE TABLE IF NOT EXISTS daily (day INTEGER NOT NULL, key BLOB NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (day, key))');
  },
  // The master keys the store belongs to (src/keys/ring.ts): ids and proofs, never a key. At most one
  // is current. The registry's key_id column says which key made each row; sealed values name theirs.
  // IF NOT EXISTS: a data dir whose version was set back by hand (a test of older migrations) still opens.
  `CREATE TABLE IF NOT EXISTS keys (
     key_id TEXT PRIMARY KEY,
     state TEXT NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
     check_mac TEXT NOT NULL,
     wraps INTEGER NOT NULL,
     pepper_sealed TEXT,
     created_at INTEGER NOT NULL,
     retired_at INTEGER
   );
   CREATE UNIQUE INDEX IF NOT EXISTS keys_one_current ON keys(state) WHERE state = 'current';`,
  // Upstream vendors (credentials sealed), the route of each check kind, and each source's figures per
  // day summed over nodes: counters and latency buckets are upserted with additions, so nodes never race.
  `CREATE TABLE IF NOT EXISTS sources (
     name TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     kinds TEXT,
     settings TEXT NOT NULL,
     credentials_sealed TEXT NOT NULL,
     disabled INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS source_routes (kind TEXT PRIMARY KEY, hops TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS source_usage (
     source TEXT NOT NULL,
     day TEXT NOT NULL,
     calls INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     billed INTEGER NOT NULL,
     cost_fen INTEGER NOT NULL,
     open_until INTEGER NOT NULL,
     PRIMARY KEY (source, day)
   ) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS source_latency (
     source TEXT NOT NULL,
     day TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (source, day, bucket)
   ) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS cache_purges (scope TEXT PRIMARY KEY, at INTEGER NOT NULL);`,
  // Counters by lease (src/store/leases.ts): apps.quota is the unleased balance; each node's unspent units
  // and QPS share are rows of their own, renewed by the node and reclaimed once they lapse. Idempotent, as above.
  (db) => {
    const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('apps')").pluck().all());
    if (!columns.has('quota_epoch')) db.exec('ALTER TABLE apps ADD COLUMN quota_epoch INTEGER NOT NULL DEFAULT 0');
    if (!columns.has('quota_reclaim_at')) db.exec('ALTER TABLE apps ADD COLUMN quota_reclaim_at REAL NOT NULL DEFAULT 0');
    db.exec(`CREATE TABLE IF NOT EXISTS quota_leases (
       appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
       node TEXT NOT NULL,
       units INTEGER NOT NULL,
       expires_at REAL NOT NULL,
       PRIMARY KEY (appid, node)
     ) WITHOUT ROWID;
     CREATE TABLE IF NOT EXISTS rate_shares (
       appid TEXT NOT NULL,
       node TEXT NOT NULL,
       share INTEGER NOT NULL,
       want INTEGER NOT NULL,
       expires_at REAL NOT NULL,
       PRIMARY KEY (appid, node)
     ) WITHOUT ROWID;
     CREATE TABLE IF NOT EXISTS rate_released (appid TEXT NOT NULL, units INTEGER NOT NULL, free_at REAL NOT NULL);
     CREATE INDEX IF NOT EXISTS rate_released_by_app ON rate_released(appid, free_at);`);
  },
  // Upstream calls that left and got no answer (the vendor may have billed them), counted apart. Idempotent, as above.
  (db) => {
    const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('source_usage')").pluck().all());
    if (!columns.has('maybe_billed')) db.exec('ALTER TABLE source_usage ADD COLUMN maybe_billed INTEGER NOT NULL DEFAULT 0');
  },
  // The audit's full record (route, client address, each factor's keyed hash) and its chain: each row
  // names its writer's chain and batch, and audit_chain holds each batch's and event's MAC. Rows already
  // there were written before chains (audit_legacy); no new index: every check would write it.
  (db) => {
    const columns = new Set(db.prepare("SELECT name FROM pragma_table_info('audit')").pluck().all());
    const added: [string, string][] = [
      ['route', 'TEXT'], ['client_ip', 'TEXT'], ['name_hash', 'TEXT'], ['id_hash', 'TEXT'], ['card_hash', 'TEXT'], ['phone_hash', 'TEXT'], ['chain', 'TEXT'], ['batch', 'INTEGER'],
    ];
    for (const [column, type] of added) if (!columns.has(column)) db.exec(`ALTER TABLE audit ADD COLUMN ${column} ${type}`);
    db.exec(`CREATE TABLE IF NOT EXISTS audit_chain (
       chain TEXT NOT NULL,
       n INTEGER NOT NULL,
       kind TEXT NOT NULL,
       at INTEGER NOT NULL,
       first_at INTEGER NOT NULL,
       records INTEGER NOT NULL,
       prev TEXT NOT NULL,
       mac TEXT NOT NULL,
       detail TEXT,
       PRIMARY KEY (chain, n)
     ) WITHOUT ROWID;
     CREATE TABLE IF NOT EXISTS audit_legacy (upto INTEGER NOT NULL);
     INSERT INTO audit_legacy SELECT coalesce(max(seq), 0) FROM audit WHERE NOT EXISTS (SELECT 1 FROM audit_legacy);`);
  },
  // Console operators (passwords as scrypt hashes only) and what they did in the console. IF NOT EXISTS:
  // safe wherever a merge puts this migration among others.
  `CREATE TABLE IF NOT EXISTS operators (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
     password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS operator_actions (
     seq INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     operator TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     ok INTEGER NOT NULL,
     detail TEXT NOT NULL,
     ip TEXT NOT NULL
   );
   CREATE INDEX IF NOT EXISTS operator_actions_by_time ON operator_actions(at, seq);`,
  // The REST dialect (src/dialects/rest): API keys as keyed hashes, and idempotent requests' first
  // answers, sealed, by app and a keyed hash of the Idempotency-Key. IF NOT EXISTS, as above.
  `CREATE TABLE IF NOT EXISTS api_keys (
     key_id TEXT PRIMARY KEY,
     appid TEXT NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
     hash TEXT NOT NULL,
     revoked INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS api_keys_by_app ON api_keys(appid);
   CREATE TABLE IF NOT EXISTS idempotency (
     scope TEXT NOT NULL,
     key TEXT NOT NULL,
     request_hash TEXT NOT NULL,
     sealed TEXT,
     expires_at REAL NOT NULL,
     PRIMARY KEY (scope, key)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS idempotency_by_expiry ON idempotency(expires_at);`,
  // Batches of checks (src/service/batches): figures, a sealed key, and chunks of sealed input, then
  // sealed results. The runner's lease keeps two nodes off one batch.
  `CREATE TABLE IF NOT EXISTS batches (
     batch_id TEXT PRIMARY KEY,
     appid TEXT NOT NULL,
     kind TEXT,
     state TEXT NOT NULL,
     key_sealed TEXT NOT NULL,
     rows_total INTEGER NOT NULL,
     rows_done INTEGER NOT NULL,
     counts TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     finished_at INTEGER,
     expires_at INTEGER NOT NULL,
     lease_node TEXT,
     lease_until INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX IF NOT EXISTS batches_by_state ON batches(state);
   CREATE TABLE IF NOT EXISTS batch_chunks (
     batch_id TEXT NOT NULL REFERENCES batches(batch_id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     first_line INTEGER NOT NULL,
     rows INTEGER NOT NULL,
     input_sealed TEXT,
     results_sealed TEXT,
     started INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (batch_id, seq)
   ) WITHOUT ROWID;`,
  // A check read back by its id (GET /v1/checks/{id}, audit search --check-id, a batch chunk resumed after
  // a crash) is an index lookup, not a scan of the whole log; it costs each audit row one index entry.
  `CREATE INDEX IF NOT EXISTS audit_by_check_id ON audit(check_id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to the current schema; several processes may open it at once (IMMEDIATE serialises them). */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`Database schema version ${current} is newer than this Realname (${SCHEMA_VERSION}); upgrade Realname`);
    }
    for (let v = current; v < target; v++) {
      const migration = MIGRATIONS[v]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    if (row) db.prepare('UPDATE schema_version SET version = ?').run(Math.max(current, target));
    else db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(target);
  }).immediate();
}
