//! The SQLite index that `batch --index FILE` writes and `find --index FILE` reads. Engineers
//! can also query it with `sqlite3`; the tables (documented in docs/batch.md too):
//!
//! ```sql
//! meta(key TEXT PRIMARY KEY, value TEXT)            -- schema_version = 1
//! bundles(id INTEGER PRIMARY KEY, path TEXT UNIQUE, key TEXT, size INTEGER, sha256 TEXT,
//!         exit_code INTEGER, host TEXT, fingerprint TEXT,
//!         record TEXT)                               -- the bundle's JSONL line
//! identifiers(bundle_id INTEGER, kind TEXT,          -- 'serial' | 'mac' | 'host'
//!             field TEXT,                            -- 'system.serial', 'disk[0].serial', 'nic[1].mac', 'os.hostname'...
//!             value TEXT, normalized TEXT,           -- as read; trimmed, upper-case, MACs AA-BB-CC-DD-EE-FF
//!             path TEXT, line INTEGER)               -- where inside the bundle
//! findings(bundle_id INTEGER, rule TEXT, severity TEXT, title TEXT)
//! errors(bundle_id INTEGER, code TEXT, entry TEXT, message TEXT)
//! ```
//!
//! A bundle analysed again (same path) replaces its rows, so an index can be refreshed, or
//! filled by several shards one after the other.

use super::find::{Hit, Query};
use super::record::BundleRecord;
use rusqlite::{params, Connection, OpenFlags};
use std::path::Path;

const SCHEMA_VERSION: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS bundles (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, key TEXT NOT NULL, size INTEGER,
    sha256 TEXT, exit_code INTEGER NOT NULL, host TEXT, fingerprint TEXT, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identifiers (
    bundle_id INTEGER NOT NULL, kind TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
    normalized TEXT NOT NULL, path TEXT NOT NULL, line INTEGER);
CREATE INDEX IF NOT EXISTS identifiers_lookup ON identifiers (kind, normalized);
CREATE INDEX IF NOT EXISTS identifiers_bundle ON identifiers (bundle_id);
CREATE TABLE IF NOT EXISTS findings (
    bundle_id INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_rule ON findings (rule);
CREATE INDEX IF NOT EXISTS findings_bundle ON findings (bundle_id);
CREATE TABLE IF NOT EXISTS errors (
    bundle_id INTEGER NOT NULL, code TEXT NOT NULL, entry TEXT, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS errors_bundle ON errors (bundle_id);
";

/// Commit every this many bundles: one transaction per bundle would make SQLite sync the
/// disk thousands of times; one for the whole batch would lose everything on a crash.
const COMMIT_EVERY: usize = 500;

/// Writes records into the index, from the batch's one writer thread.
pub struct IndexWriter {
    conn: Connection,
    uncommitted: usize,
    commit_every: usize,
}

impl IndexWriter {
    pub fn create(path: &Path) -> rusqlite::Result<IndexWriter> {
        IndexWriter::open(path, COMMIT_EVERY, false)
    }

    /// For a long-running writer (`watch`) that readers use while it runs: write-ahead
    /// logging, so `find` and `serve` read while it writes, and the caller commits after each
    /// bundle ([`IndexWriter::commit`]).
    pub fn create_live(path: &Path) -> rusqlite::Result<IndexWriter> {
        IndexWriter::open(path, usize::MAX, true)
    }

    fn open(path: &Path, commit_every: usize, wal: bool) -> rusqlite::Result<IndexWriter> {
        let conn = Connection::open(path)?;
        if wal {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.execute_batch(SCHEMA)?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
            [SCHEMA_VERSION],
        )?;
        conn.execute_batch("BEGIN")?;
        Ok(IndexWriter {
            conn,
            uncommitted: 0,
            commit_every,
        })
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Commits what was written and opens the next transaction.
    pub fn commit(&mut self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT; BEGIN")?;
        self.uncommitted = 0;
        Ok(())
    }

    pub fn add(&mut self, r: &BundleRecord) -> rusqlite::Result<()> {
        let c = &self.conn;
        let old: Option<i64> = c
            .query_row("SELECT id FROM bundles WHERE path = ?1", [&r.path], |row| row.get(0))
            .ok();
        if let Some(id) = old {
            for table in ["identifiers", "findings", "errors"] {
                c.execute(&format!("DELETE FROM {table} WHERE bundle_id = ?1"), [id])?;
            }
            c.execute("DELETE FROM bundles WHERE id = ?1", [id])?;
        }
        let json = serde_json::to_string(r).unwrap_or_default();
        c.execute(
            "INSERT INTO bundles (path, key, size, sha256, exit_code, host, fingerprint, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                r.path,
                r.key,
                r.size.map(|s| s as i64),
                r.sha256,
                r.exit_code,
                r.identity.host,
                r.identity.fingerprint,
                json
            ],
        )?;
        let id = c.last_insert_rowid();
        let mut ins = c.prepare_cached(
            "INSERT INTO identifiers (bundle_id, kind, field, value, normalized, path, line)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for i in &r.identifiers {
            ins.execute(params![
                id,
                i.kind.name(),
                i.field,
                i.value,
                i.normalized,
                i.source.path,
                i.source.line.map(|l| l as i64)
            ])?;
        }
        let mut ins =
            c.prepare_cached("INSERT INTO findings (bundle_id, rule, severity, title) VALUES (?1, ?2, ?3, ?4)")?;
        for f in &r.findings {
            ins.execute(params![id, f.rule, f.severity.name(), f.title])?;
        }
        let mut ins =
            c.prepare_cached("INSERT INTO errors (bundle_id, code, entry, message) VALUES (?1, ?2, ?3, ?4)")?;
        for e in &r.errors {
            ins.execute(params![id, e.code, e.entry, e.message])?;
        }
        self.uncommitted += 1;
        if self.uncommitted >= self.commit_every {
            c.execute_batch("COMMIT; BEGIN")?;
            self.uncommitted = 0;
        }
        Ok(())
    }

    pub fn finish(self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
    }
}

/// The bundles of an index that hold the identifier, sorted by bundle and field.
pub fn lookup(index: &Path, query: &Query) -> rusqlite::Result<Vec<Hit>> {
    // Read-only: a mistyped path must be an error, not a new empty index.
    let conn = Connection::open_with_flags(index, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version: String = conn.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "index schema version {version}, this cmgelog reads {SCHEMA_VERSION}"
        )));
    }
    let mut stmt = conn.prepare(
        "SELECT b.path, i.field, i.value, i.path, i.line FROM identifiers i
         JOIN bundles b ON b.id = i.bundle_id
         WHERE i.kind = ?1 AND i.normalized = ?2 ORDER BY b.path, i.field",
    )?;
    let rows = stmt.query_map(params![query.kind.name(), query.normalized], |r| {
        Ok(Hit {
            bundle: r.get(0)?,
            field: r.get(1)?,
            value: r.get(2)?,
            path: r.get(3)?,
            line: r.get::<_, Option<i64>>(4)?.map(|l| l as usize),
        })
    })?;
    rows.collect()
}
