import type pg from 'pg';

/**
 * The registry's index by bank card, for checks without an ID number (bankcard2); also built on the
 * staging table of a replace and renamed with it. Partial: rows without a card (card_hash '') are not
 * in it, so a registry of ID numbers and names only pays nothing for it. INCLUDE name_hash: a check
 * can be answered from the index alone. Shipped in migration 2: never change it here.
 */
export function registryCardIndexSql(table: string): string {
  return `CREATE INDEX ${table}_by_card ON ${table} (card_hash) INCLUDE (name_hash) WHERE length(card_hash) > 0`;
}

/** Append-only: migration N brings the schema from version N to N + 1. Never edit a shipped entry. */
const MIGRATIONS: string[] = [
  `CREATE TABLE apps (
     appid text PRIMARY KEY,
     name text NOT NULL,
     bucket text NOT NULL,
     buckets text[] NOT NULL,
     qps integer,
     quota bigint,
     checks text[],
     ip_allow text[],
     suspended boolean NOT NULL,
     replay_guard boolean NOT NULL,
     appkey_sealed text NOT NULL,
     created_at bigint NOT NULL
   );
   CREATE TABLE secrets (
     secret_id text PRIMARY KEY,
     appid text NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
     secret_key_sealed text NOT NULL,
     revoked boolean NOT NULL DEFAULT false,
     created_at bigint NOT NULL
   );
   CREATE INDEX secrets_by_app ON secrets(appid);
   -- card_hash '' stands for "no card", so (person, card) can be the primary key.
   CREATE TABLE registry (
     id_hash bytea NOT NULL,
     card_hash bytea NOT NULL,
     name_hash bytea NOT NULL,
     phone_hash bytea,
     key_id text NOT NULL,
     norm_version integer NOT NULL,
     CONSTRAINT registry_pkey PRIMARY KEY (id_hash, card_hash)
   );
   CREATE TABLE rate (key text PRIMARY KEY, times double precision[] NOT NULL, last_at double precision NOT NULL);
   CREATE INDEX rate_by_last ON rate(last_at);
   CREATE TABLE nonces (key text PRIMARY KEY, expires_at double precision NOT NULL);
   CREATE INDEX nonces_by_expiry ON nonces(expires_at);
   CREATE TABLE audit (
     seq bigserial PRIMARY KEY,
     check_id text NOT NULL,
     at double precision NOT NULL,
     appid text,
     dialect text NOT NULL,
     kind text,
     verdict text,
     code text NOT NULL,
     masked jsonb NOT NULL,
     source text,
     billed boolean NOT NULL,
     latency_ms double precision NOT NULL
   );
   CREATE INDEX audit_by_time ON audit(at, seq);
   CREATE INDEX audit_by_app ON audit(appid, at, seq);`,
  // The gate's refusal reason beside the wire code, so counts by reason are a query.
  `ALTER TABLE audit ADD COLUMN refusal text;`,
  // bankcard2 (name + bank card) looks a card's holders up without an ID number.
  registryCardIndexSql('registry'),
  // Identity daily limits (per app, off by default) and each identity's count of the day, by keyed hash.
  // Idempotent: a schema whose version was set back (restored from a copy, say) may hold them already.
  `ALTER TABLE apps ADD COLUMN IF NOT EXISTS daily_per_id integer, ADD COLUMN IF NOT EXISTS daily_per_name integer;
   CREATE TABLE IF NOT EXISTS daily (day integer NOT NULL, key bytea NOT NULL, count integer NOT NULL, PRIMARY KEY (day, key));`,
  // The master keys the store belongs to (src/keys/ring.ts): ids and proofs, never a key. At most one
  // is current. The registry's key_id column says which key made each row; sealed values name theirs.
  // IF NOT EXISTS: a schema whose version was set back by hand (a test of older migrations) still opens.
  `CREATE TABLE IF NOT EXISTS keys (
     key_id text PRIMARY KEY,
     state text NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
     check_mac text NOT NULL,
     wraps boolean NOT NULL,
     pepper_sealed text,
     created_at bigint NOT NULL,
     retired_at bigint
   );
   CREATE UNIQUE INDEX IF NOT EXISTS keys_one_current ON keys(state) WHERE state = 'current';`,
  // Upstream vendors (credentials sealed), the route of each check kind, and each source's figures per
  // day summed over nodes: counters and latency buckets are upserted with additions, so nodes never race.
  `CREATE TABLE IF NOT EXISTS sources (
     name text PRIMARY KEY,
     type text NOT NULL,
     endpoint text NOT NULL,
     kinds jsonb,
     settings jsonb NOT NULL,
     credentials_sealed text NOT NULL,
     disabled boolean NOT NULL,
     created_at bigint NOT NULL,
     updated_at bigint NOT NULL
   );
   CREATE TABLE IF NOT EXISTS source_routes (kind text PRIMARY KEY, hops jsonb NOT NULL);
   CREATE TABLE IF NOT EXISTS source_usage (
     source text NOT NULL,
     day text NOT NULL,
     calls bigint NOT NULL,
     errors bigint NOT NULL,
     billed bigint NOT NULL,
     cost_fen bigint NOT NULL,
     open_until bigint NOT NULL,
     PRIMARY KEY (source, day)
   );
   CREATE TABLE IF NOT EXISTS source_latency (
     source text NOT NULL,
     day text NOT NULL,
     bucket integer NOT NULL,
     n bigint NOT NULL,
     PRIMARY KEY (source, day, bucket)
   );
   CREATE TABLE IF NOT EXISTS cache_purges (scope text PRIMARY KEY, at bigint NOT NULL);`,
  // Counters by lease (src/store/leases.ts): apps.quota is the unleased balance; each node's unspent units
  // and QPS share are rows of their own, renewed by the node and reclaimed once they lapse. Idempotent, as above.
  `ALTER TABLE apps ADD COLUMN IF NOT EXISTS quota_epoch bigint NOT NULL DEFAULT 0;
   ALTER TABLE apps ADD COLUMN IF NOT EXISTS quota_reclaim_at double precision NOT NULL DEFAULT 0;
   CREATE TABLE IF NOT EXISTS quota_leases (
     appid text NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
     node text NOT NULL,
     units bigint NOT NULL,
     expires_at double precision NOT NULL,
     PRIMARY KEY (appid, node)
   );
   CREATE TABLE IF NOT EXISTS rate_shares (
     appid text NOT NULL,
     node text NOT NULL,
     share integer NOT NULL,
     want integer NOT NULL,
     expires_at double precision NOT NULL,
     PRIMARY KEY (appid, node)
   );
   CREATE TABLE IF NOT EXISTS rate_released (appid text NOT NULL, units integer NOT NULL, free_at double precision NOT NULL);
   CREATE INDEX IF NOT EXISTS rate_released_by_app ON rate_released(appid, free_at);`,
  // Upstream calls that left and got no answer (the vendor may have billed them), counted apart. Idempotent, as above.
  `ALTER TABLE source_usage ADD COLUMN IF NOT EXISTS maybe_billed bigint NOT NULL DEFAULT 0;`,
  // The audit's full record (route, client address, each factor's keyed hash) and its chain: each row
  // names its writer's chain and batch, and audit_chain holds each batch's and event's MAC. Rows already
  // there were written before chains (audit_legacy); no new index: every check would write it.
  `ALTER TABLE audit ADD COLUMN IF NOT EXISTS route text, ADD COLUMN IF NOT EXISTS client_ip text,
     ADD COLUMN IF NOT EXISTS name_hash text, ADD COLUMN IF NOT EXISTS id_hash text, ADD COLUMN IF NOT EXISTS card_hash text,
     ADD COLUMN IF NOT EXISTS phone_hash text, ADD COLUMN IF NOT EXISTS chain text, ADD COLUMN IF NOT EXISTS batch bigint;
   CREATE TABLE IF NOT EXISTS audit_chain (
     chain text NOT NULL,
     n bigint NOT NULL,
     kind text NOT NULL,
     at double precision NOT NULL,
     first_at double precision NOT NULL,
     records integer NOT NULL,
     prev text NOT NULL,
     mac text NOT NULL,
     detail text,
     PRIMARY KEY (chain, n)
   );
   CREATE TABLE IF NOT EXISTS audit_legacy (upto bigint NOT NULL);
   INSERT INTO audit_legacy SELECT coalesce(max(seq), 0) FROM audit WHERE NOT EXISTS (SELECT 1 FROM audit_legacy);`,
  // Console operators (passwords as scrypt hashes only) and what they did in the console.
  `CREATE TABLE IF NOT EXISTS operators (
     name text PRIMARY KEY,
     role text NOT NULL CHECK (role IN ('viewer', 'admin')),
     password_hash text NOT NULL,
     created_at bigint NOT NULL
   );
   CREATE TABLE IF NOT EXISTS operator_actions (
     seq bigserial PRIMARY KEY,
     at bigint NOT NULL,
     operator text NOT NULL,
     action text NOT NULL,
     target text NOT NULL,
     ok boolean NOT NULL,
     detail jsonb NOT NULL,
     ip text NOT NULL
   );
   CREATE INDEX IF NOT EXISTS operator_actions_by_time ON operator_actions(at, seq);`,
  // The REST dialect (src/dialects/rest): API keys as keyed hashes, and idempotent requests' first
  // answers, sealed, by app and a keyed hash of the Idempotency-Key.
  `CREATE TABLE IF NOT EXISTS api_keys (
     key_id text PRIMARY KEY,
     appid text NOT NULL REFERENCES apps(appid) ON DELETE CASCADE,
     hash text NOT NULL,
     revoked boolean NOT NULL DEFAULT false,
     created_at bigint NOT NULL
   );
   CREATE INDEX IF NOT EXISTS api_keys_by_app ON api_keys(appid);
   CREATE TABLE IF NOT EXISTS idempotency (
     scope text NOT NULL,
     key text NOT NULL,
     request_hash text NOT NULL,
     sealed text,
     expires_at double precision NOT NULL,
     PRIMARY KEY (scope, key)
   );
   CREATE INDEX IF NOT EXISTS idempotency_by_expiry ON idempotency(expires_at);`,
  // Batches of checks (src/service/batches): figures, a sealed key, and chunks of sealed input, then
  // sealed results. The runner's lease keeps two nodes off one batch; a dead node's lapses.
  `CREATE TABLE IF NOT EXISTS batches (
     batch_id text PRIMARY KEY,
     appid text NOT NULL,
     kind text,
     state text NOT NULL,
     key_sealed text NOT NULL,
     rows_total bigint NOT NULL,
     rows_done bigint NOT NULL,
     counts jsonb NOT NULL,
     created_at bigint NOT NULL,
     updated_at bigint NOT NULL,
     finished_at bigint,
     expires_at bigint NOT NULL,
     lease_node text,
     lease_until bigint NOT NULL DEFAULT 0
   );
   CREATE INDEX IF NOT EXISTS batches_by_state ON batches(state);
   CREATE TABLE IF NOT EXISTS batch_chunks (
     batch_id text NOT NULL REFERENCES batches(batch_id) ON DELETE CASCADE,
     seq integer NOT NULL,
     first_line bigint NOT NULL,
     rows integer NOT NULL,
     input_sealed text,
     results_sealed text,
     started boolean NOT NULL DEFAULT false,
     PRIMARY KEY (batch_id, seq)
   );`,
  // A check read back by its id (GET /v1/checks/{id}, audit search --check-id, a batch chunk resumed after
  // a crash) is an index lookup, not a scan of the whole log; it costs each audit row one index entry.
  `CREATE INDEX IF NOT EXISTS audit_by_check_id ON audit(check_id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema to the current version in one transaction. An advisory lock on the schema's name
 * serialises processes starting at once (CREATE … IF NOT EXISTS alone races on the catalog).
 */
export async function migrate(client: pg.PoolClient, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    const target = schema ?? (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
    if (!target) throw new Error('postgres: no schema to create tables in (search_path is empty)');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('realname.migrate.' || $1))`, [target]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0];
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`Database schema version ${current} is newer than this Realname (${SCHEMA_VERSION}); upgrade Realname`);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    if (row) await client.query('UPDATE schema_version SET version = $1', [SCHEMA_VERSION]);
    else await client.query('INSERT INTO schema_version (version) VALUES ($1)', [SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
