//! `cmgelog collect`: the items of a spec (one per OS, compiled in) run in parallel under
//! their timeouts and a global deadline, and stream into one zip with a manifest.
//!
//! Declare, then execute: [`spec`] turns the spec file into tasks; the runner here hands them
//! to a few worker threads ([`command`], [`files`], [`probe`] do the work, each output staged
//! in a bounded temporary file); the calling thread owns the [`writer`] and moves each staged
//! output into the zip as soon as it is done, then writes [`manifest`] last. Whatever happens
//! (a hung command, the deadline, Ctrl-C) every item gets a manifest row and the zip is
//! completed; a kill leaves only a `.partial` file, never a corrupt zip under the final name.

pub mod capture;
pub mod category;
mod command;
mod descendants;
mod expand;
mod files;
mod leftovers;
pub mod manifest;
mod native;
pub mod platform;
mod probe;
pub mod spec;
pub mod spec_lint;
mod stop;
mod writer;

pub use category::Category;
pub use manifest::{ItemRow, Manifest, Status};

use crate::messages::Messages;
use command::Produced;
use manifest::{ItemSource, OsInfo, Tool};
use spec::{Action, Spec, Task};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use stop::Stop;
use writer::BundleWriter;

#[derive(Debug, Clone)]
pub struct Options {
    pub categories: Vec<Category>,
    pub out_dir: PathBuf,
    /// The whole run ends within this (plus the time to finish the zip).
    pub deadline: Duration,
    /// A spec file replacing the built-in one.
    pub spec: Option<PathBuf>,
    /// Items run at once.
    pub jobs: usize,
    /// The activation client's log folders from the configuration, added to the spec.
    pub activation_log_dirs: Vec<String>,
}

/// Told about each item as the run goes (a progress bar, or nothing).
pub trait Progress: Sync {
    fn begin(&self, _total: usize) {}
    fn item_started(&self, _task_id: &str) {}
    fn item_finished(&self, _task_id: &str) {}
}

/// No progress output.
pub struct Silent;
impl Progress for Silent {}

#[derive(Debug)]
pub struct Outcome {
    pub zip: PathBuf,
    pub manifest: Manifest,
}

/// What stops a collection from producing a zip at all.
#[derive(Debug)]
pub enum CollectError {
    Spec(String),
    OutDir { path: PathBuf, error: std::io::Error },
    Zip { path: PathBuf, error: std::io::Error },
}

impl CollectError {
    /// What happened and what to do, in the user's language (texts in `locales/*.toml`).
    pub fn message(&self, msg: &Messages) -> String {
        match self {
            CollectError::Spec(e) => msg.fill("spec-invalid", &[("error", e)]),
            CollectError::OutDir { path, error } => {
                msg.fill("out-dir-unusable", &[("path", &path.display()), ("error", error)])
            }
            CollectError::Zip { path, error } => {
                msg.fill("zip-unwritable", &[("path", &path.display()), ("error", error)])
            }
        }
    }
}

/// Loads the spec: the file given, or the one compiled in for this OS.
pub fn load_spec(path: Option<&Path>) -> Result<(String, Spec), CollectError> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| CollectError::Spec(format!("{}: {e}", p.display())))?;
            let spec = Spec::parse(&p.display().to_string(), &text).map_err(CollectError::Spec)?;
            Ok((p.display().to_string(), spec))
        }
        None => {
            let (name, text) = spec::builtin();
            Ok((name.to_string(), Spec::parse(name, text).map_err(CollectError::Spec)?))
        }
    }
}

/// `CMGE_Log_<host>_<yyyyMMdd-HHmmss>.zip`, with characters a file name cannot hold replaced.
pub fn bundle_name(host: &str, now: chrono::DateTime<chrono::Local>) -> String {
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let host = if host.is_empty() { "unknown".to_string() } else { host };
    format!("CMGE_Log_{host}_{}.zip", now.format("%Y%m%d-%H%M%S"))
}

/// Runs a collection. `cancel` is set by the caller's Ctrl-C handler: running items are killed,
/// the rest skipped, and the zip is still completed and marked interrupted.
pub fn collect(opts: &Options, cancel: &AtomicBool, progress: &dyn Progress) -> Result<Outcome, CollectError> {
    let (spec_name, mut spec) = load_spec(opts.spec.as_deref())?;
    spec.add_activation_dirs(&opts.activation_log_dirs);
    let env = |name: &str| std::env::var(name).ok();
    let tasks = spec.tasks(&opts.categories, &env).map_err(CollectError::Spec)?;
    let supported = spec.categories();
    let not_applicable: Vec<Category> = opts
        .categories
        .iter()
        .copied()
        .filter(|c| !supported.contains(c))
        .collect();

    let started_at = chrono::Local::now();
    let start = Instant::now();
    let deadline = start + opts.deadline;
    let host = platform::host();
    let elevated = platform::elevated();
    let out_dir_err = |error| CollectError::OutDir {
        path: opts.out_dir.clone(),
        error,
    };
    std::fs::create_dir_all(&opts.out_dir).map_err(out_dir_err)?;
    let target = opts.out_dir.join(bundle_name(&host, started_at));
    let staging = tempfile::Builder::new()
        .prefix("cmgelog-")
        .tempdir()
        .map_err(out_dir_err)?;
    let zip_err = |error| CollectError::Zip {
        path: target.clone(),
        error,
    };
    let mut zip = BundleWriter::create(&target).map_err(zip_err)?;
    // A run killed outright could not clean up; this one does, and leaves a note so the next
    // run can clean after it if it is killed too.
    leftovers::clean(&std::env::temp_dir());
    let _ = leftovers::claim(staging.path(), zip.partial());
    let run = &descendants::RunId::new();

    progress.begin(tasks.len());
    let queue = Mutex::new(tasks.iter().enumerate().collect::<VecDeque<_>>());
    let (tx, rx) = mpsc::channel::<(usize, Vec<Draft>)>();
    let mut rows: Vec<(usize, ItemRow)> = Vec::new();
    thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let queue = &queue;
            let staging = staging.path();
            scope.spawn(move || {
                while let Some((index, task)) = next(queue) {
                    progress.item_started(&task.id);
                    let drafts = run_task(run, index, task, staging, elevated, deadline, cancel);
                    if tx.send((index, drafts)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // This thread owns the zip: outputs go in as soon as they are ready.
        for (index, drafts) in rx {
            let task = &tasks[index];
            for draft in drafts {
                rows.push((index, store(&mut zip, task, draft)));
            }
            progress.item_finished(&task.id);
        }
    });
    // Every item swept its own processes; this catches one that was being started when a
    // cancel came.
    let prefix = run.prefix();
    descendants::kill_where(|m| m.starts_with(&prefix));
    rows.sort_by_key(|(i, _)| *i);
    let items: Vec<ItemRow> = rows.into_iter().map(|(_, r)| r).collect();
    let deadline_reached = Instant::now() >= deadline || items.iter().any(|r| r.reason.as_deref() == Some("deadline"));
    let manifest = Manifest {
        schema: manifest::SCHEMA,
        tool: Tool::default(),
        host,
        user: platform::user(),
        elevated,
        os: platform::os_info(),
        spec: spec_name,
        started: started_at.to_rfc3339(),
        ended: chrono::Local::now().to_rfc3339(),
        deadline_s: opts.deadline.as_secs(),
        deadline_reached,
        interrupted: cancel.load(std::sync::atomic::Ordering::Relaxed),
        categories: opts.categories.clone(),
        not_applicable,
        items,
    };
    // The manifest quotes argv and error messages, which can carry a key too.
    let json = serde_json::to_string_pretty(&manifest).expect("the manifest serialises");
    let json = crate::privacy::mask_product_keys(&json);
    zip.add_bytes("manifest.json", json.as_bytes()).map_err(zip_err)?;
    let zip_path = zip.finish().map_err(zip_err)?;
    Ok(Outcome {
        zip: zip_path,
        manifest,
    })
}

fn next<'a>(queue: &Mutex<VecDeque<(usize, &'a Task)>>) -> Option<(usize, &'a Task)> {
    queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
}

/// One manifest row before its output is in the zip.
struct Draft {
    source: ItemSource,
    zip_path: String,
    started: String,
    duration: Duration,
    produced: Produced,
}

fn run_task(
    run: &descendants::RunId,
    index: usize,
    task: &Task,
    staging: &Path,
    elevated: bool,
    deadline: Instant,
    cancel: &AtomicBool,
) -> Vec<Draft> {
    let started = chrono::Local::now().to_rfc3339();
    let t0 = Instant::now();
    let stop = Stop {
        started: t0,
        timeout: task.timeout,
        deadline,
        cancel,
    };
    let draft = |source: ItemSource, zip_path: String, produced: Produced| Draft {
        source,
        zip_path,
        started: started.clone(),
        duration: t0.elapsed(),
        produced,
    };
    let source = task_source(task);
    let skip = if cancel.load(std::sync::atomic::Ordering::Relaxed) {
        Some("interrupted")
    } else if Instant::now() >= deadline {
        Some("deadline")
    } else if task.needs_admin && !elevated {
        Some("needs administrator")
    } else {
        None
    };
    if let Some(reason) = skip {
        return vec![draft(
            source,
            task.zip_path.clone(),
            Produced::failed(Status::Skipped, reason),
        )];
    }
    let staged = staging.join(format!("{index}"));
    match &task.action {
        Action::Command {
            argv,
            output_file,
            ok_exit_codes,
        } => {
            let marker = run.item(index);
            let p = command::run(
                &marker,
                argv,
                *output_file,
                ok_exit_codes,
                &staged,
                task.max_bytes,
                &stop,
            );
            vec![draft(source, task.zip_path.clone(), p)]
        }
        Action::Dir { root, depth } => {
            let (root, depth, staged2, cap) = (PathBuf::from(root), *depth, staged.clone(), task.max_bytes);
            let p = bounded(&stop, move || files::list_dir(&root, depth, &staged2, cap));
            vec![draft(source, task.zip_path.clone(), p)]
        }
        Action::Probe { endpoints } => {
            let p = probe::probe(endpoints, &staged, task.max_bytes, &stop);
            vec![draft(source, task.zip_path.clone(), p)]
        }
        Action::Wmi(query) => {
            let (query, cap) = (query.clone(), task.max_bytes);
            let p = bounded(&stop, move || native::wmi_query(&query, &staged, cap));
            vec![draft(source, task.zip_path.clone(), p)]
        }
        Action::Devprops => {
            let cap = task.max_bytes;
            let p = bounded(&stop, move || native::device_properties(&staged, cap));
            vec![draft(source, task.zip_path.clone(), p)]
        }
        Action::Files { patterns, max_files } => {
            let (patterns, max_files) = (patterns.clone(), *max_files);
            let found = bounded_any(&stop, move || files::find(&patterns, max_files));
            let Ok(found) = found else {
                let (status, reason) = found
                    .err()
                    .map(|w| w.status())
                    .unwrap_or((Status::Failed, String::new()));
                return vec![draft(source, task.zip_path.clone(), Produced::failed(status, reason))];
            };
            let mut out = Vec::new();
            for (n, f) in found.into_iter().enumerate() {
                let zip_path = files::zip_path(&task.zip_path, &f.source);
                let produced = match f.path {
                    None => match &f.denied {
                        Some(folder) => Produced::failed(Status::AccessDenied, format!("{folder}: permission denied")),
                        None => Produced::failed(Status::NotFound, "no file matches"),
                    },
                    Some(_) if stop.check().is_some() => {
                        let (s, r) = stop
                            .check()
                            .map(|w| w.status())
                            .unwrap_or((Status::Skipped, String::new()));
                        Produced::failed(if s == Status::Interrupted { Status::Skipped } else { s }, r)
                    }
                    Some(path) => {
                        let (dest, cap) = (staging.join(format!("{index}-{n}")), task.max_bytes);
                        bounded(&stop, move || files::copy(&path, &dest, cap))
                    }
                };
                out.push(draft(ItemSource::Path(f.source), zip_path, produced));
            }
            out
        }
    }
}

/// Runs work that has no timeout of its own (a file on a hung network share, a folder walk)
/// on its own thread, and stops waiting for it at the item's limit.
fn bounded(stop: &Stop, work: impl FnOnce() -> Produced + Send + 'static) -> Produced {
    match bounded_any(stop, work) {
        Ok(p) => p,
        Err(why) => {
            let (s, r) = why.status();
            Produced::failed(s, r)
        }
    }
}

fn bounded_any<T: Send + 'static>(
    stop: &Stop,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, stop::StopReason> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(work());
    });
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(v) => return Ok(v),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(stop::StopReason::Cancelled),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(why) = stop.check() {
                    return Err(why);
                }
            }
        }
    }
}

fn task_source(task: &Task) -> ItemSource {
    match &task.action {
        Action::Command { argv, .. } => ItemSource::Argv(argv.clone()),
        Action::Files { patterns, .. } => ItemSource::Path(patterns.join(";")),
        Action::Dir { root, .. } => ItemSource::Path(root.clone()),
        Action::Probe { endpoints } => ItemSource::Argv(endpoints.clone()),
        Action::Wmi(q) => ItemSource::Argv(vec!["wmi".into(), q.namespace.clone(), q.wql()]),
        Action::Devprops => ItemSource::Argv(vec!["setupapi".into(), "DiskDrive,Net".into()]),
    }
}

/// Moves a draft's output into the zip and makes its manifest row.
fn store(zip: &mut BundleWriter, task: &Task, d: Draft) -> ItemRow {
    let mut row = ItemRow {
        id: task.id.clone(),
        category: task.category,
        kind: task.kind,
        source: d.source,
        status: d.produced.status,
        reason: d.produced.reason,
        exit_code: d.produced.exit_code,
        started: d.started,
        duration_ms: d.duration.as_millis() as u64,
        bytes: 0,
        source_bytes: 0,
        sha256: None,
        encoding: None,
        masked_keys: 0,
        path: None,
    };
    if let Some(out) = d.produced.output {
        row.source_bytes = out.total;
        let name = zip.unique_name(&d.zip_path);
        match zip.add_file(&name, &out.path) {
            Ok(s) => {
                row.bytes = s.bytes;
                row.sha256 = Some(s.sha256);
                row.encoding = Some(s.encoding.to_string());
                row.masked_keys = s.masked_keys;
                row.path = Some(name);
            }
            Err(e) => {
                row.status = Status::Failed;
                row.reason = Some(format!("writing the zip: {e}"));
            }
        }
        let _ = std::fs::remove_file(&out.path);
    }
    row
}

/// The OS description for callers that show it before collecting.
pub fn os_info() -> OsInfo {
    platform::os_info()
}
