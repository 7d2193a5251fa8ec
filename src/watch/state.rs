//! What the watcher remembers, in the same SQLite index as the identifiers (so `find` and
//! `serve` see a bundle as soon as it is analysed, and a restart resumes where it stopped):
//!
//! ```sql
//! arrivals(sha256 TEXT PRIMARY KEY,       -- one analysis per content
//!          case_id TEXT, path TEXT,        -- the first file with this content
//!          arrived TEXT, analysed TEXT,    -- RFC 3339
//!          exit_code INTEGER, name TEXT,   -- results are RESULTS/<name>.{json,html,md}
//!          severity TEXT, title TEXT,      -- the most severe finding, for the inbox
//!          rule TEXT,                      -- its rule id (serve shows its title in the reader's language)
//!          host TEXT,
//!          hook TEXT)                      -- NULL (no hook), 'pending', 'delivered', 'dead-letter'
//! seen(path TEXT PRIMARY KEY, size INTEGER, modified INTEGER, sha256 TEXT)
//!                                          -- files already hashed, so a rescan does not rehash
//! ```
//!
//! Rows are written after the results are on disk: a watcher stopped in the middle leaves no
//! row, and the next start analyses that bundle again.

use crate::batch::index::IndexWriter;
use rusqlite::{params, OptionalExtension};
use std::path::Path;
use std::time::SystemTime;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS arrivals (
    sha256 TEXT PRIMARY KEY, case_id TEXT NOT NULL, path TEXT NOT NULL, arrived TEXT NOT NULL,
    analysed TEXT NOT NULL, exit_code INTEGER NOT NULL, name TEXT NOT NULL, severity TEXT,
    title TEXT, host TEXT, hook TEXT, rule TEXT);
CREATE INDEX IF NOT EXISTS arrivals_analysed ON arrivals (analysed);
CREATE TABLE IF NOT EXISTS seen (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, modified INTEGER NOT NULL, sha256 TEXT NOT NULL);
";

/// One analysed arrival.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub sha256: String,
    pub case_id: String,
    pub path: String,
    pub arrived: String,
    pub analysed: String,
    pub exit_code: u8,
    pub name: String,
    pub severity: Option<String>,
    pub title: Option<String>,
    pub rule: Option<String>,
    pub host: Option<String>,
    pub hook: Option<String>,
}

pub struct State {
    index: IndexWriter,
}

fn mtime_ns(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

impl State {
    pub fn open(path: &Path) -> rusqlite::Result<State> {
        let mut index = IndexWriter::create_live(path)?;
        index.connection().execute_batch(SCHEMA)?;
        // Readers (`serve`, `find`) see the tables before the first arrival.
        index.commit()?;
        Ok(State { index })
    }

    pub fn index(&mut self) -> &mut IndexWriter {
        &mut self.index
    }

    /// The content hash of a file hashed before with this size and modification time.
    pub fn seen(&self, path: &Path, size: u64, modified: SystemTime) -> Option<String> {
        self.index
            .connection()
            .prepare_cached("SELECT sha256 FROM seen WHERE path = ?1 AND size = ?2 AND modified = ?3")
            .and_then(|mut stmt| {
                stmt.query_row(params![path.to_string_lossy(), size as i64, mtime_ns(modified)], |r| {
                    r.get(0)
                })
                .optional()
            })
            .ok()
            .flatten()
    }

    pub fn remember(&self, path: &Path, size: u64, modified: SystemTime, sha256: &str) -> rusqlite::Result<()> {
        self.index.connection().execute(
            "INSERT OR REPLACE INTO seen (path, size, modified, sha256) VALUES (?1, ?2, ?3, ?4)",
            params![path.to_string_lossy(), size as i64, mtime_ns(modified), sha256],
        )?;
        Ok(())
    }

    /// Forgets the hashed files that are no longer there (the arrivals stay).
    pub fn forget_except(&self, present: &std::collections::HashSet<std::path::PathBuf>) -> rusqlite::Result<usize> {
        let conn = self.index.connection();
        let gone: Vec<String> = {
            let mut stmt = conn.prepare("SELECT path FROM seen")?;
            let paths = stmt.query_map([], |r| r.get::<_, String>(0))?;
            paths
                .filter_map(Result::ok)
                .filter(|p| !present.contains(Path::new(p)))
                .collect()
        };
        let mut delete = conn.prepare_cached("DELETE FROM seen WHERE path = ?1")?;
        for p in &gone {
            delete.execute([p])?;
        }
        Ok(gone.len())
    }

    pub fn arrival(&self, sha256: &str) -> Option<Arrival> {
        self.index
            .connection()
            .query_row(
                "SELECT sha256, case_id, path, arrived, analysed, exit_code, name, severity, title, host, hook, rule
                 FROM arrivals WHERE sha256 = ?1",
                [sha256],
                row_to_arrival,
            )
            .optional()
            .ok()
            .flatten()
    }

    pub fn add(&mut self, a: &Arrival) -> rusqlite::Result<()> {
        self.index.connection().execute(
            "INSERT OR REPLACE INTO arrivals
             (sha256, case_id, path, arrived, analysed, exit_code, name, severity, title, host, hook, rule)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                a.sha256,
                a.case_id,
                a.path,
                a.arrived,
                a.analysed,
                a.exit_code,
                a.name,
                a.severity,
                a.title,
                a.host,
                a.hook,
                a.rule
            ],
        )?;
        Ok(())
    }

    pub fn set_hook(&self, sha256: &str, hook: &str) -> rusqlite::Result<()> {
        self.index
            .connection()
            .execute("UPDATE arrivals SET hook = ?2 WHERE sha256 = ?1", params![sha256, hook])?;
        Ok(())
    }

    /// Arrivals whose summary still has to reach the hook (a restart sends them again).
    pub fn hook_pending(&self) -> rusqlite::Result<Vec<Arrival>> {
        let conn = self.index.connection();
        let mut stmt = conn.prepare(
            "SELECT sha256, case_id, path, arrived, analysed, exit_code, name, severity, title, host, hook, rule
             FROM arrivals WHERE hook = 'pending' ORDER BY analysed",
        )?;
        let rows = stmt.query_map([], row_to_arrival)?;
        rows.collect()
    }

    /// Makes everything written so far visible to readers (`find`, `serve`).
    pub fn commit(&mut self) -> rusqlite::Result<()> {
        self.index.commit()
    }
}

fn row_to_arrival(r: &rusqlite::Row<'_>) -> rusqlite::Result<Arrival> {
    Ok(Arrival {
        sha256: r.get(0)?,
        case_id: r.get(1)?,
        path: r.get(2)?,
        arrived: r.get(3)?,
        analysed: r.get(4)?,
        exit_code: r.get::<_, i64>(5)? as u8,
        name: r.get(6)?,
        severity: r.get(7)?,
        title: r.get(8)?,
        host: r.get(9)?,
        hook: r.get(10)?,
        rule: r.get(11)?,
    })
}
