//! `cmgelog watch DIR… --out RESULTS`: every bundle that lands in the portal's folders is
//! analysed once it is complete, once per content, and its reports are ready when the
//! engineer opens the case.
//!
//! One coordinator thread owns the state (the SQLite index, [`state`]) and decides; `jobs`
//! worker threads hash and analyse; one thread delivers hook summaries ([`hook`]). The
//! coordinator wakes on file events (`notify`) and rescans every `rescan` anyway, since
//! network file systems drop events. A file is handed to a worker only when [`arrival`] says
//! it is complete; the worker hashes it first, and the coordinator analyses a content only
//! once (a duplicate upload, a renamed file, a restart: remembered, not analysed again).
//!
//! Stopping (SIGTERM, Ctrl-C, `stop`): no new work starts, the analyses running finish and
//! are recorded, queued ones are abandoned and picked up by the next start.

pub mod arrival;
pub mod hook;
pub mod results;
pub mod state;

use crate::analysis;
use crate::batch::{BundlePath, BundleRecord, Shard};
use crate::bundle::Limits;
use crate::i18n::Lang;
use crate::rules::RuleSet;
use arrival::Candidate;
use state::{Arrival, State};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

pub struct Options {
    pub dirs: Vec<PathBuf>,
    pub out: PathBuf,
    pub index: PathBuf,
    pub jobs: usize,
    pub hook: Option<reqwest::Url>,
    pub shard: Option<Shard>,
    /// How long a plain file's size and time must stay the same before it is taken.
    pub settle: Duration,
    /// How often the folders are scanned whatever the file events say.
    pub rescan: Duration,
    /// Exit once nothing is pending or running (a cron job, the tests), instead of watching.
    pub once: bool,
    pub lang: Lang,
    pub limits: Limits,
}

/// What happened, for the command's output.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Analysed {
        arrival: Box<Arrival>,
        errors: usize,
    },
    /// Same content as an arrival analysed before: not analysed again.
    Duplicate {
        path: PathBuf,
        of: String,
    },
    Hook {
        name: String,
        delivered: bool,
        detail: String,
    },
    /// A file that could not be read now (it will be tried again at the next scan).
    Unreadable {
        path: PathBuf,
        detail: String,
    },
    /// A watched folder whose file events could not be set up: only rescans see it.
    NoEvents {
        dir: PathBuf,
        detail: String,
    },
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub analysed: usize,
    pub duplicates: usize,
    /// Analysed with errors (unreadable or damaged bundle).
    pub failed: usize,
    pub hook_failed: usize,
}

#[derive(Debug)]
pub enum WatchError {
    Index(PathBuf, rusqlite::Error),
    Out(PathBuf, std::io::Error),
    NotAFolder(PathBuf),
}

impl std::fmt::Display for WatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchError::Index(p, e) => write!(f, "{}: {e}", p.display()),
            WatchError::Out(p, e) => write!(f, "{}: {e}", p.display()),
            WatchError::NotAFolder(p) => write!(f, "{}: not a folder", p.display()),
        }
    }
}

enum Job {
    Hash(Candidate),
    Analyse(Candidate, String),
}

enum Done {
    Hashed(Candidate, String),
    Analysed(Candidate, Box<(BundleRecord, Arrival)>),
    /// With the content hash when it was known.
    Failed(Candidate, Option<String>, String),
    /// Queued when the watcher stopped: left for the next start.
    Abandoned(Candidate),
}

/// A plain file waiting to settle.
struct Settling {
    size: u64,
    modified: SystemTime,
    since: Instant,
}

impl Settling {
    /// As the file is now, from now on.
    fn from(cand: &Candidate) -> Settling {
        Settling {
            size: cand.size,
            modified: cand.modified,
            since: Instant::now(),
        }
    }
}

pub fn run(
    opts: &Options,
    rules: &RuleSet,
    stop: &AtomicBool,
    mut report: impl FnMut(&Event),
) -> Result<Stats, WatchError> {
    for d in &opts.dirs {
        if !d.is_dir() {
            return Err(WatchError::NotAFolder(d.clone()));
        }
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| WatchError::Out(opts.out.clone(), e))?;
    let mut state = State::open(&opts.index).map_err(|e| WatchError::Index(opts.index.clone(), e))?;
    let out = std::fs::canonicalize(&opts.out).unwrap_or_else(|_| opts.out.clone());

    // File events name the paths to look at; the periodic rescan finds what they missed.
    let (wake_tx, wake_rx) = mpsc::channel::<Vec<PathBuf>>();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(e) = res {
            let _ = wake_tx.send(e.paths);
        }
    });
    if let Ok(w) = watcher.as_mut() {
        use notify::Watcher;
        for d in &opts.dirs {
            if let Err(e) = w.watch(d, notify::RecursiveMode::Recursive) {
                report(&Event::NoEvents {
                    dir: d.clone(),
                    detail: e.to_string(),
                });
            }
        }
    } else if let Err(e) = &watcher {
        for d in &opts.dirs {
            report(&Event::NoEvents {
                dir: d.clone(),
                detail: e.to_string(),
            });
        }
    }
    // Event paths are absolute and canonical on some systems: compare roots the same way.
    let roots: Vec<(PathBuf, PathBuf)> = opts
        .dirs
        .iter()
        .map(|d| (d.clone(), std::fs::canonicalize(d).unwrap_or_else(|_| d.clone())))
        .collect();

    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let (hook_tx, hook_rx) = mpsc::channel::<hook::Delivery>();
    let (hooked_tx, hooked_rx) = mpsc::channel::<hook::Outcome>();
    let mut stats = Stats::default();

    let out = out.as_path();
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            let (rx, tx) = (Arc::clone(&job_rx), done_tx.clone());
            scope.spawn(move || worker(&rx, &tx, rules, opts, out, stop));
        }
        drop(done_tx);
        if let Some(url) = &opts.hook {
            let (url, dead) = (url.clone(), out.join("dead-letter"));
            scope.spawn(move || hook::run(url, dead, hook_rx, hooked_tx));
            // Summaries a previous run did not deliver.
            for a in state.hook_pending().unwrap_or_default() {
                let _ = hook_tx.send(delivery(&a, out));
            }
        } else {
            drop(hook_rx);
            drop(hooked_tx);
        }

        let mut c = Coordinator {
            opts,
            out,
            state: &mut state,
            settling: HashMap::new(),
            busy_paths: HashSet::new(),
            busy_hashes: HashSet::new(),
            waiting: HashMap::new(),
            hooks_out: 0,
            job_tx: Some(job_tx),
            hook_tx: opts.hook.as_ref().map(|_| hook_tx),
            stats: &mut stats,
        };
        c.hooks_out = c.state.hook_pending().map(|v| v.len()).unwrap_or(0);
        let mut next_scan = Instant::now();
        let mut next_settle = Instant::now();
        loop {
            while let Ok(d) = done_rx.try_recv() {
                c.done(d, &mut report);
            }
            while let Ok(o) = hooked_rx.try_recv() {
                c.hooked(o, &mut report);
            }
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let now = Instant::now();
            if now >= next_scan {
                c.scan();
                next_scan = now + opts.rescan.max(Duration::from_millis(50));
            } else if now >= next_settle && !c.settling.is_empty() {
                // Files that were still changing: look at them (only them) again.
                c.recheck_settling();
            }
            if now >= next_settle {
                next_settle = now + (opts.settle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
            }
            if opts.once && c.idle() {
                break;
            }
            match wake_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(paths) => {
                    // Writes come in bursts: take the whole burst, each path once.
                    let mut changed: HashSet<PathBuf> = paths.into_iter().collect();
                    while let Ok(more) = wake_rx.try_recv() {
                        changed.extend(more);
                    }
                    for p in changed {
                        c.changed(&roots, &p);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        // Stop: workers finish what they run (queued jobs are dropped by `worker`), their
        // results are recorded; then the hook thread finishes its queue.
        c.job_tx = None;
        for d in done_rx.iter() {
            c.done(d, &mut report);
        }
        c.hook_tx = None;
        for o in hooked_rx.iter() {
            c.hooked(o, &mut report);
        }
    });
    state.commit().map_err(|e| WatchError::Index(opts.index.clone(), e))?;
    Ok(stats)
}

struct Coordinator<'a> {
    opts: &'a Options,
    out: &'a Path,
    state: &'a mut State,
    settling: HashMap<PathBuf, Settling>,
    busy_paths: HashSet<PathBuf>,
    busy_hashes: HashSet<String>,
    /// Files whose content is being analysed from another file right now: duplicates once
    /// that analysis is recorded (or looked at again if it fails).
    waiting: HashMap<String, Vec<Candidate>>,
    hooks_out: usize,
    /// `None` once stopping: nothing new starts.
    job_tx: Option<Sender<Job>>,
    /// `None` without `--hook`, and once the last summary is queued.
    hook_tx: Option<Sender<hook::Delivery>>,
    stats: &'a mut Stats,
}

impl Coordinator<'_> {
    fn idle(&self) -> bool {
        self.settling.is_empty() && self.busy_paths.is_empty() && self.hooks_out == 0
    }

    /// Walks every watched folder.
    fn scan(&mut self) {
        let mut present = HashSet::new();
        let mut complete = true;
        for root in &self.opts.dirs {
            let walk = walkdir::WalkDir::new(root).follow_links(false).into_iter();
            // RESULTS inside a watched folder is not an inbox.
            let out = self.out;
            for entry in walk.filter_entry(|e| std::fs::canonicalize(e.path()).map_or(true, |p| p != out)) {
                let Ok(entry) = entry else {
                    complete = false;
                    continue;
                };
                if entry.file_type().is_file() {
                    if let Some(cand) = arrival::candidate(root, entry.path()) {
                        present.insert(cand.path.clone());
                        self.consider(cand);
                    }
                }
            }
        }
        // Files that went away (renamed, deleted) stop settling, and their hashes are
        // forgotten, so the index does not grow with every file ever seen. Only after a walk
        // that read every folder: a folder unreadable for a moment would otherwise make its
        // files look new (and be hashed again) at the next scan.
        self.settling.retain(|p, _| present.contains(p));
        if complete {
            let _ = self.state.forget_except(&present);
            let _ = self.state.commit();
        }
    }

    /// A path a file event named: the file itself, or the data file of a tus sidecar.
    fn changed(&mut self, roots: &[(PathBuf, PathBuf)], path: &Path) {
        if path.starts_with(self.out) {
            return;
        }
        let data = match path.extension().and_then(|e| e.to_str()) {
            Some("info" | "json") => path.with_extension(""),
            _ => path.to_path_buf(),
        };
        // The watched folder as given (keys are relative to it, as in a scan).
        let Some((root, rel)) = roots.iter().find_map(|(given, canon)| {
            data.strip_prefix(canon)
                .or_else(|_| data.strip_prefix(given))
                .ok()
                .map(|r| (given, r))
        }) else {
            return;
        };
        let path = root.join(rel);
        match arrival::candidate(root, &path) {
            Some(cand) => self.consider(cand),
            None => {
                self.settling.remove(&path);
            }
        }
    }

    /// The files still settling, looked at again.
    fn recheck_settling(&mut self) {
        let paths: Vec<PathBuf> = self.settling.keys().cloned().collect();
        for path in paths {
            let root = self.opts.dirs.iter().find(|d| path.starts_with(d));
            match root.and_then(|r| arrival::candidate(r, &path)) {
                Some(cand) => self.consider(cand),
                None => {
                    self.settling.remove(&path);
                }
            }
        }
    }

    /// Hands a file to a worker if it is in this shard, not known and complete.
    fn consider(&mut self, cand: Candidate) {
        if let Some(shard) = &self.opts.shard {
            if !shard.contains(&cand.key) {
                return;
            }
        }
        if self.busy_paths.contains(&cand.path) {
            return;
        }
        if self.state.seen(&cand.path, cand.size, cand.modified).is_some() {
            self.settling.remove(&cand.path);
            return;
        }
        if self.ready(&cand) {
            self.settling.remove(&cand.path);
            if let Some(tx) = &self.job_tx {
                self.busy_paths.insert(cand.path.clone());
                let _ = tx.send(Job::Hash(cand));
            }
        }
    }

    fn ready(&mut self, cand: &Candidate) -> bool {
        if let Some(complete) = cand.tus_complete() {
            if !complete {
                // Still uploading: keep the watcher awake for it in --once mode.
                self.settling.insert(cand.path.clone(), Settling::from(cand));
            }
            return complete;
        }
        let settle = self.opts.settle;
        match self.settling.get_mut(&cand.path) {
            Some(s) if s.size == cand.size && s.modified == cand.modified => {
                s.since.elapsed() >= settle && !arrival::open_for_writing(&cand.path)
            }
            Some(s) => {
                *s = Settling::from(cand);
                false
            }
            None => {
                self.settling.insert(cand.path.clone(), Settling::from(cand));
                // Old and closed already (found at start-up, or after a restart): no need to wait.
                let age = cand.modified.elapsed().unwrap_or_default();
                age >= settle && !arrival::open_for_writing(&cand.path)
            }
        }
    }

    fn done(&mut self, d: Done, report: &mut impl FnMut(&Event)) {
        match d {
            Done::Hashed(cand, sha) => {
                let known = self.state.arrival(&sha).map(|a| a.name);
                if let Some(of) = known {
                    self.forget(&cand);
                    let _ = self.state.remember(&cand.path, cand.size, cand.modified, &sha);
                    let _ = self.state.commit();
                    self.stats.duplicates += 1;
                    report(&Event::Duplicate { path: cand.path, of });
                } else if self.busy_hashes.contains(&sha) {
                    // The same content is being analysed from another file: wait for it
                    // (the path stays busy, so no scan hands it out again meanwhile).
                    self.waiting.entry(sha).or_default().push(cand);
                } else if let Some(tx) = &self.job_tx {
                    self.busy_hashes.insert(sha.clone());
                    let _ = tx.send(Job::Analyse(cand, sha));
                } else {
                    self.forget(&cand);
                }
            }
            Done::Analysed(cand, done) => {
                let (record, mut arrival) = *done;
                self.forget(&cand);
                self.busy_hashes.remove(&arrival.sha256);
                arrival.hook = self.opts.hook.as_ref().map(|_| "pending".to_string());
                let written = self
                    .state
                    .index()
                    .add(&record)
                    .and_then(|_| self.state.add(&arrival))
                    .and_then(|_| {
                        self.state
                            .remember(&cand.path, cand.size, cand.modified, &arrival.sha256)
                    })
                    .and_then(|_| self.state.commit());
                if let Err(e) = written {
                    for w in self.waiting.remove(&arrival.sha256).unwrap_or_default() {
                        self.forget(&w);
                    }
                    report(&Event::Unreadable {
                        path: self.opts.index.clone(),
                        detail: e.to_string(),
                    });
                    return;
                }
                self.stats.analysed += 1;
                if record.exit_code == 2 {
                    self.stats.failed += 1;
                }
                if let Some(tx) = &self.hook_tx {
                    if tx.send(delivery(&arrival, self.out)).is_ok() {
                        self.hooks_out += 1;
                    }
                }
                let (sha, name) = (arrival.sha256.clone(), arrival.name.clone());
                report(&Event::Analysed {
                    arrival: Box::new(arrival),
                    errors: record.errors.len(),
                });
                for dup in self.waiting.remove(&sha).unwrap_or_default() {
                    self.forget(&dup);
                    let _ = self.state.remember(&dup.path, dup.size, dup.modified, &sha);
                    let _ = self.state.commit();
                    self.stats.duplicates += 1;
                    report(&Event::Duplicate {
                        path: dup.path,
                        of: name.clone(),
                    });
                }
            }
            Done::Abandoned(cand) => {
                self.forget(&cand);
            }
            Done::Failed(cand, sha, detail) => {
                self.forget(&cand);
                if let Some(sha) = sha {
                    self.busy_hashes.remove(&sha);
                    // Their content was not analysed: the next scan looks at them afresh.
                    for w in self.waiting.remove(&sha).unwrap_or_default() {
                        self.forget(&w);
                    }
                }
                if !detail.is_empty() {
                    report(&Event::Unreadable {
                        path: cand.path,
                        detail,
                    });
                }
            }
        }
    }

    fn forget(&mut self, cand: &Candidate) {
        self.busy_paths.remove(&cand.path);
    }

    fn hooked(&mut self, o: hook::Outcome, report: &mut impl FnMut(&Event)) {
        self.hooks_out = self.hooks_out.saturating_sub(1);
        let _ = self
            .state
            .set_hook(&o.sha256, if o.delivered { "delivered" } else { "dead-letter" });
        let _ = self.state.commit();
        if !o.delivered {
            self.stats.hook_failed += 1;
        }
        let name = self.state.arrival(&o.sha256).map(|a| a.name).unwrap_or_default();
        report(&Event::Hook {
            name,
            delivered: o.delivered,
            detail: o.detail,
        });
    }
}

fn worker(
    rx: &Mutex<Receiver<Job>>,
    tx: &Sender<Done>,
    rules: &RuleSet,
    opts: &Options,
    out: &Path,
    stop: &AtomicBool,
) {
    loop {
        let job = match rx.lock() {
            Ok(rx) => match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            },
            Err(_) => return,
        };
        // Stopping: what is queued is abandoned (the next start finds it again).
        if stop.load(Ordering::SeqCst) {
            let done = match job {
                Job::Hash(c) => Done::Abandoned(c),
                // Its hash is no longer busy: nothing else will run it in this process.
                Job::Analyse(c, sha) => Done::Failed(c, Some(sha), String::new()),
            };
            let _ = tx.send(done);
            continue;
        }
        let done = match job {
            Job::Hash(cand) => match crate::digest::sha256_file(&cand.path, |_| {}) {
                Ok((_, sha)) => Done::Hashed(cand, sha),
                Err(e) => Done::Failed(cand, None, e.to_string()),
            },
            Job::Analyse(cand, sha) => analyse(cand, sha, rules, opts, out),
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}

fn analyse(cand: Candidate, sha: String, rules: &RuleSet, opts: &Options, out: &Path) -> Done {
    let a = analysis::analyze(std::slice::from_ref(&cand.path), rules, &opts.limits);
    let bundle = BundlePath {
        key: cand.key.clone(),
        path: cand.path.clone(),
    };
    let record = BundleRecord::with_hash(&bundle, &a, opts.lang, Ok((cand.size, sha.clone())));
    let case_id = cand.case_id();
    let name = results::name(&case_id, &sha);
    if let Err(e) = results::write(out, &name, &a, opts.lang) {
        return Done::Failed(cand, Some(sha), format!("{}: {e}", out.display()));
    }
    let top = record.findings.iter().max_by_key(|f| f.severity);
    let arrival = Arrival {
        sha256: sha,
        case_id,
        path: cand.path.to_string_lossy().into_owned(),
        arrived: rfc3339(cand.modified),
        analysed: rfc3339(SystemTime::now()),
        exit_code: record.exit_code,
        name,
        severity: top.map(|f| f.severity.name().to_string()),
        title: top.map(|f| f.title.clone()),
        rule: top.map(|f| f.rule.clone()),
        host: record.identity.host.clone(),
        hook: None,
    };
    Done::Analysed(cand, Box::new((record, arrival)))
}

fn rfc3339(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The summary a ticket system receives: enough to open or update a case without fetching
/// anything, and where the full reports are.
fn delivery(a: &Arrival, out: &Path) -> hook::Delivery {
    let json_path = out.join(format!("{}.json", a.name));
    let findings: Vec<serde_json::Value> = std::fs::read_to_string(&json_path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("findings").cloned())
        .and_then(|f| f.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "rule": f.get("rule").cloned().unwrap_or_default(),
                "severity": f.get("severity").cloned().unwrap_or_default(),
                "title": f.get("title").cloned().unwrap_or_default(),
            })
        })
        .collect();
    let body = serde_json::json!({
        "case_id": a.case_id,
        "sha256": a.sha256,
        "host": a.host,
        "arrived": a.arrived,
        "analysed": a.analysed,
        "exit_code": a.exit_code,
        "findings": findings,
        "reports": {
            "json": format!("{}.json", a.name),
            "html": format!("{}.html", a.name),
            "md": format!("{}.md", a.name),
        },
    });
    hook::Delivery {
        sha256: a.sha256.clone(),
        name: a.name.clone(),
        body,
    }
}
