//! What `serve` reads: one or more results folders, each with its SQLite index (`watch`'s, or
//! `batch --index`'s without arrivals). Every read opens the index read-only, so the page never
//! changes what it shows and sees a running watcher's new bundles at once.

use crate::batch::find::Query;
use crate::batch::identifiers::IdKind;
use crate::batch::index;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A results folder and its index.
#[derive(Debug, Clone)]
pub struct Source {
    pub dir: PathBuf,
    pub index: PathBuf,
}

/// One bundle in the inbox or a list.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// `<case>-<sha12>`: its reports are `<dir>/<name>.*` (only for `watch`'s arrivals).
    pub name: Option<String>,
    pub case_id: String,
    pub host: Option<String>,
    pub arrived: Option<String>,
    pub severity: Option<String>,
    pub title: Option<String>,
    /// The rule of that finding.
    pub rule: Option<String>,
    pub exit_code: u8,
    pub path: String,
}

/// One bundle a search found, and where the identifier is in it.
#[derive(Debug, Clone)]
pub struct Found {
    pub row: Row,
    pub field: String,
    pub value: String,
    pub location: String,
}

/// A cause across the fleet: its rule, how bad, and on how many bundles.
#[derive(Debug, Clone)]
pub struct Cause {
    pub rule: String,
    pub severity: String,
    pub title: String,
    pub bundles: usize,
}

pub struct Store {
    pub sources: Vec<Source>,
}

/// The most severe first.
fn severity_rank(s: Option<&str>) -> u8 {
    match s {
        Some("critical") => 4,
        Some("error") => 3,
        Some("warning") => 2,
        Some("info") => 1,
        _ => 0,
    }
}

const TOP_FINDING: &str = "(SELECT f.{col} FROM findings f WHERE f.bundle_id = b.id ORDER BY
    CASE f.severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END
    LIMIT 1)";

fn open(index: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        index,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

fn has_arrivals(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'arrivals'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// The case id of a bundle known only by its path: the file name without `.zip`.
fn case_of(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".zip").unwrap_or(name).to_string()
}

impl Store {
    /// The newest `limit` bundles of all sources.
    pub fn inbox(&self, limit: usize) -> rusqlite::Result<Vec<Row>> {
        let mut rows = Vec::new();
        for s in &self.sources {
            let conn = open(&s.index)?;
            let sql = if has_arrivals(&conn)? {
                "SELECT name, case_id, host, arrived, severity, title, exit_code, path, rule FROM arrivals
                 ORDER BY arrived DESC LIMIT ?1"
                    .to_string()
            } else {
                format!(
                    "SELECT NULL, path, host, NULL, {}, {}, exit_code, path, {} FROM bundles b ORDER BY id DESC LIMIT ?1",
                    TOP_FINDING.replace("{col}", "severity"),
                    TOP_FINDING.replace("{col}", "title"),
                    TOP_FINDING.replace("{col}", "rule")
                )
            };
            let mut stmt = conn.prepare(&sql)?;
            let found = stmt.query_map([limit as i64], |r| {
                let path: String = r.get(7)?;
                let case: String = r.get(1)?;
                Ok(Row {
                    name: r.get(0)?,
                    case_id: if r.get::<_, Option<String>>(0)?.is_some() {
                        case
                    } else {
                        case_of(&path)
                    },
                    host: r.get(2)?,
                    arrived: r.get(3)?,
                    severity: r.get(4)?,
                    title: r.get(5)?,
                    exit_code: r.get::<_, i64>(6)? as u8,
                    path,
                    rule: r.get(8)?,
                })
            })?;
            for row in found {
                rows.push(row?);
            }
        }
        rows.sort_by(|a, b| b.arrived.cmp(&a.arrived));
        rows.truncate(limit);
        Ok(rows)
    }

    /// The inbox row of the bundle analysed from `path` in `conn`'s index.
    fn row_of(conn: &Connection, arrivals: bool, path: &str) -> rusqlite::Result<Row> {
        let arrival = if arrivals {
            conn.query_row(
                "SELECT name, case_id, host, arrived, severity, title, exit_code, rule FROM arrivals WHERE path = ?1",
                [path],
                |r| {
                    Ok(Row {
                        name: r.get(0)?,
                        case_id: r.get(1)?,
                        host: r.get(2)?,
                        arrived: r.get(3)?,
                        severity: r.get(4)?,
                        title: r.get(5)?,
                        exit_code: r.get::<_, i64>(6)? as u8,
                        rule: r.get(7)?,
                        path: path.to_string(),
                    })
                },
            )
            .optional()?
        } else {
            None
        };
        if let Some(a) = arrival {
            return Ok(a);
        }
        let sql = format!(
            "SELECT host, exit_code, {}, {}, {} FROM bundles b WHERE path = ?1",
            TOP_FINDING.replace("{col}", "severity"),
            TOP_FINDING.replace("{col}", "title"),
            TOP_FINDING.replace("{col}", "rule")
        );
        conn.query_row(&sql, [path], |r| {
            Ok(Row {
                case_id: case_of(path),
                host: r.get(0)?,
                exit_code: r.get::<_, i64>(1)? as u8,
                severity: r.get(2)?,
                title: r.get(3)?,
                rule: r.get(4)?,
                path: path.to_string(),
                ..Row::default()
            })
        })
    }

    /// Bundles holding `text` as a serial (system, UUID, baseboard, chassis, disk), a MAC
    /// address or a host name.
    pub fn search(&self, text: &str) -> rusqlite::Result<Vec<Found>> {
        let mut out = Vec::new();
        for s in &self.sources {
            let conn = open(&s.index)?;
            let arrivals = has_arrivals(&conn)?;
            for kind in [IdKind::Serial, IdKind::Mac, IdKind::Host] {
                let query = Query::new(kind, text);
                if query.normalized.is_empty() {
                    continue;
                }
                for hit in index::lookup(&s.index, &query)? {
                    let location = match hit.line {
                        Some(l) => format!("{}:{l}", hit.path),
                        None => hit.path.clone(),
                    };
                    out.push(Found {
                        row: Self::row_of(&conn, arrivals, &hit.bundle)?,
                        field: hit.field,
                        value: hit.value,
                        location,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Every cause found, with the number of bundles it was found on, most frequent first.
    pub fn causes(&self) -> rusqlite::Result<Vec<Cause>> {
        let mut by_rule: BTreeMap<String, Cause> = BTreeMap::new();
        for s in &self.sources {
            let conn = open(&s.index)?;
            let mut stmt = conn.prepare(
                "SELECT rule, max(severity), max(title), count(DISTINCT bundle_id) FROM findings GROUP BY rule",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Cause {
                    rule: r.get(0)?,
                    severity: r.get(1)?,
                    title: r.get(2)?,
                    bundles: r.get::<_, i64>(3)? as usize,
                })
            })?;
            for c in rows {
                let c = c?;
                by_rule
                    .entry(c.rule.clone())
                    .and_modify(|e| e.bundles += c.bundles)
                    .or_insert(c);
            }
        }
        let mut causes: Vec<Cause> = by_rule.into_values().collect();
        causes.sort_by(|a, b| {
            b.bundles
                .cmp(&a.bundles)
                .then(severity_rank(Some(&b.severity)).cmp(&severity_rank(Some(&a.severity))))
                .then(a.rule.cmp(&b.rule))
        });
        Ok(causes)
    }

    /// The bundles one rule found something on.
    pub fn with_cause(&self, rule: &str) -> rusqlite::Result<Vec<Row>> {
        let mut rows = Vec::new();
        for s in &self.sources {
            let conn = open(&s.index)?;
            let arrivals = has_arrivals(&conn)?;
            let mut stmt = conn.prepare(
                "SELECT DISTINCT b.path FROM findings f JOIN bundles b ON b.id = f.bundle_id WHERE f.rule = ?1",
            )?;
            let paths: Vec<String> = stmt.query_map([rule], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for p in paths {
                rows.push(Self::row_of(&conn, arrivals, &p)?);
            }
        }
        rows.sort_by(|a, b| b.arrived.cmp(&a.arrived));
        Ok(rows)
    }

    /// A `watch` arrival by its results name: its row and the folder holding its reports.
    pub fn arrival(&self, name: &str) -> rusqlite::Result<Option<(Row, &Source)>> {
        for s in &self.sources {
            let conn = open(&s.index)?;
            if !has_arrivals(&conn)? {
                continue;
            }
            let path: Option<String> = conn
                .query_row("SELECT path FROM arrivals WHERE name = ?1", [name], |r| r.get(0))
                .optional()?;
            if let Some(p) = path {
                return Ok(Some((Self::row_of(&conn, true, &p)?, s)));
            }
        }
        Ok(None)
    }

    /// The (rule, severity, title) found on the bundle analysed from `path`.
    pub fn findings_of(&self, path: &str) -> rusqlite::Result<Vec<(String, String, String)>> {
        for s in &self.sources {
            let conn = open(&s.index)?;
            let mut stmt = conn.prepare(
                "SELECT f.rule, f.severity, f.title FROM findings f JOIN bundles b ON b.id = f.bundle_id
                 WHERE b.path = ?1 ORDER BY f.rule",
            )?;
            let found: Vec<(String, String, String)> = stmt
                .query_map([path], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }
}
