//! The end user's flow — agree, choose, collect, look, upload — as one state machine shared
//! by the Windows window and the terminal wizard. It holds no terminal or window code: the
//! views draw [`Flow::step`] and forward the user's actions as [`Input`]s.
//!
//! # Steps
//!
//! ```text
//! BrokenConfig                          (cmgelog.toml unusable: shown until the view closes)
//! Consent ──Agree──▶ Categories ──Collect──▶ Collecting ──(done or Cancel)──▶ Collected
//!    │Cancel            │Cancel / RestartElevated                               │StartUpload
//!    ▼                  ▼                                                       ▼
//! Finished(Cancelled)  Finished(Cancelled | RestartedElevated)   UploadForm ◀──┐ wrong password
//!                                                                 │Upload       │ (3 at most)
//!                                                                 ▼             │
//!                                                             Uploading ────────┘
//!                                        Finished(Uploaded{sha256}) / Finished(Saved{reason,
//!                                        what_to_do}) ──Retry──▶ UploadForm
//! ```
//! `SkipUpload` (or `Cancel`) at Collected or UploadForm ends in `Saved`; `Cancel` while
//! uploading stops the upload within a fraction of a second and ends in `Saved` (the zip is
//! kept, the text says so and gives the command that continues the upload).
//!
//! # Driving it
//!
//! ```no_run
//! use cmgelog::flow::{Flow, Input, Setup, Step};
//! # let (config, lang) = (cmgelog::config::Config::load().map(|(c, _)| c), cmgelog::i18n::Lang::Zh);
//! let mut flow = Flow::new(Setup::new(config, lang), None);
//! flow.input(Input::Agree);
//! flow.input(Input::Collect);
//! while matches!(flow.step(), Step::Collecting(_)) {
//!     flow.wait(std::time::Duration::from_millis(200)); // a terminal polls; a window pumps
//!     // draw flow.step()
//! }
//! ```
//!
//! - [`Flow::new`] takes the [`Setup`] and an optional waker. The waker is called from worker
//!   threads each time an event is queued; a window posts itself a message there and calls
//!   [`Flow::pump`] on its own thread when the message arrives. A terminal passes `None` and
//!   calls [`Flow::wait`] in its loop.
//! - [`Flow::input`] applies an [`Input`] at once on the caller's thread (false when it makes
//!   no sense at this step). Starting a collection, a portal check or an upload spawns a
//!   worker thread and returns at once.
//! - [`Flow::pump`] / [`Flow::wait`] apply what the workers reported ([`Event`]): items
//!   started and finished, the collection's end, the portal check, upload bytes, retries,
//!   the upload's end. Both return whether anything changed; the view then redraws
//!   [`Flow::step`].
//! - [`Flow::canceller`] is a handle for another thread (a Ctrl-C handler): it stops the
//!   running work at once and queues a cancel the flow applies at the next pump.
//! - All texts in the steps are in the user's language, from `locales/*.toml`
//!   ([`Flow::messages`] for the views' own labels: `button-*`, `title`, `intro`, …).
//! - The flow is `Send` but not shared: one thread (the view's) owns it.

mod input;
mod rate;
mod setup;
mod step;
mod summary;
pub mod words;
mod work;

pub use input::{Event, Input};
pub use setup::{Setup, DEFAULT_DEADLINE};
pub use step::*;
pub use work::Waker;

use crate::collect::{self, Category};
use crate::i18n::Lang;
use crate::messages::Messages;
use crate::upload::{self, ErrorClass, Password, Protocol, UploadError};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use work::Outbox;

/// Wrong passwords accepted before the flow stops asking (an account may lock after more).
pub const WRONG_PASSWORDS: u32 = 3;

pub struct Flow {
    setup: Setup,
    msg: Messages,
    step: Step,
    tx: Sender<(u64, Event)>,
    rx: Receiver<(u64, Event)>,
    wake: Option<Waker>,
    /// The number of the latest job; events of older ones are dropped.
    job: Arc<AtomicU64>,
    /// The latest job's cancel flag (shared with the cancellers).
    cancel: Arc<Mutex<Arc<AtomicBool>>>,
    /// Item id → category, for naming running items.
    item_categories: HashMap<String, Category>,
    collected: Option<Collected>,
    /// What the user typed last (for the form after a retry).
    last_url: Option<String>,
    last_user: Option<String>,
    wrong_passwords: u32,
    /// An upload asked for before the portal check answered.
    pending: Option<(String, Password)>,
    rate: rate::Rate,
}

/// Stops the running work from another thread (see [`Flow::canceller`]).
#[derive(Clone)]
pub struct Canceller {
    cancel: Arc<Mutex<Arc<AtomicBool>>>,
    job: Arc<AtomicU64>,
    tx: Sender<(u64, Event)>,
    wake: Option<Waker>,
}

impl Canceller {
    pub fn cancel(&self) {
        lock(&self.cancel).store(true, Ordering::SeqCst);
        let out = Outbox {
            tx: self.tx.clone(),
            wake: self.wake.clone(),
            job: self.job.load(Ordering::SeqCst),
        };
        out.send(Event::CancelRequested);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Flow {
    pub fn new(setup: Setup, wake: Option<Waker>) -> Flow {
        let msg = Messages::new(setup.lang);
        let step = match &setup.config_error {
            Some(e) => Step::BrokenConfig(BrokenConfig {
                summary: msg.fill("config-broken", &[("path", &e.path.display())]),
                details: e.message.clone(),
            }),
            None => Step::Consent,
        };
        let (tx, rx) = mpsc::channel();
        Flow {
            setup,
            msg,
            step,
            tx,
            rx,
            wake,
            job: Arc::new(AtomicU64::new(0)),
            cancel: Arc::new(Mutex::new(Arc::new(AtomicBool::new(false)))),
            item_categories: HashMap::new(),
            collected: None,
            last_url: None,
            last_user: None,
            wrong_passwords: 0,
            pending: None,
            rate: rate::Rate::default(),
        }
    }

    pub fn step(&self) -> &Step {
        &self.step
    }

    pub fn messages(&self) -> &Messages {
        &self.msg
    }

    pub fn lang(&self) -> Lang {
        self.setup.lang
    }

    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    pub fn canceller(&self) -> Canceller {
        Canceller {
            cancel: self.cancel.clone(),
            job: self.job.clone(),
            tx: self.tx.clone(),
            wake: self.wake.clone(),
        }
    }

    /// Whether a worker runs (a view keeps pumping while it does).
    pub fn busy(&self) -> bool {
        matches!(self.step, Step::Collecting(_) | Step::Uploading(_))
            || matches!(&self.step, Step::UploadForm(f) if f.portal == PortalCheck::Checking)
    }

    /// Applies a user action; false when it makes no sense at this step (nothing changes).
    pub fn input(&mut self, input: Input) -> bool {
        match (&mut self.step, input) {
            (Step::Consent, Input::Agree) => {
                self.step = Step::Categories(self.choice(self.setup.preset()));
            }
            (Step::Consent | Step::Categories(_), Input::Cancel) => {
                self.finish(End::Cancelled {
                    message: self.msg.get("cancelled-nothing").to_string(),
                });
            }
            (Step::Categories(choice), Input::Toggle(c)) => {
                let Some(o) = choice.offered.iter_mut().find(|o| o.category == c) else {
                    return false;
                };
                o.ticked = !o.ticked;
                let ticked = ticked(choice);
                self.step = Step::Categories(self.choice(ticked));
            }
            (Step::Categories(choice), Input::Collect) => {
                let chosen = ticked(choice);
                if chosen.is_empty() {
                    choice.problem = Some(self.msg.get("none-chosen").to_string());
                    return true;
                }
                self.start_collecting(chosen);
            }
            (Step::Categories(choice), Input::RestartElevated) => {
                if !choice.can_restart_elevated {
                    return false;
                }
                match collect::platform::restart_elevated() {
                    Ok(()) => self.finish(End::RestartedElevated),
                    Err(e) => {
                        let why = words::io_error(&self.msg, &e);
                        choice.problem = Some(self.msg.fill("restart-failed", &[("cause", &why)]));
                    }
                }
            }
            (Step::Collecting(c), Input::Cancel) => {
                lock(&self.cancel).store(true, Ordering::SeqCst);
                c.cancelling = true;
            }
            (Step::Collected(_) | Step::UploadForm(_) | Step::Uploading(_) | Step::Finished(_), Input::OpenFolder) => {
                let Some(c) = &self.collected else { return false };
                // The file manager's window is the user's to close: nothing to wait for.
                let _ = collect::platform::reveal_in_file_manager(&c.zip);
            }
            (Step::Collected(_), Input::StartUpload) => self.open_form(None),
            (Step::Collected(_) | Step::UploadForm(_), Input::SkipUpload | Input::Cancel) => {
                self.pending = None;
                self.save(SaveCause::Skipped, self.msg.get("not-uploaded-reason").to_string());
            }
            (Step::UploadForm(form), Input::CheckPortal { url }) => {
                if form.url_editable {
                    form.url = url;
                }
                self.check_portal();
            }
            (Step::UploadForm(form), Input::Upload { url, user, password }) => {
                if form.url_editable && form.url != url {
                    form.url = url;
                    form.portal = PortalCheck::Unchecked;
                }
                form.user = user.trim().to_string();
                if form.portal == PortalCheck::Reachable {
                    self.start_upload(password);
                } else {
                    self.pending = Some((form.user.clone(), password));
                    self.check_portal();
                }
            }
            (Step::Uploading(u), Input::Cancel) => {
                lock(&self.cancel).store(true, Ordering::SeqCst);
                u.cancelling = true;
            }
            (Step::Finished(End::Saved { can_retry: true, .. }), Input::Retry) => {
                self.wrong_passwords = 0;
                self.open_form(None);
            }
            _ => return false,
        }
        true
    }

    /// Applies the events the workers queued, without waiting; true if any was applied.
    pub fn pump(&mut self) -> bool {
        let mut changed = false;
        while let Ok((job, event)) = self.rx.try_recv() {
            changed |= self.apply(job, event);
        }
        changed
    }

    /// Waits up to `timeout` for an event, then applies all that are queued.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        match self.rx.recv_timeout(timeout) {
            Ok((job, event)) => {
                let changed = self.apply(job, event);
                self.pump() || changed
            }
            Err(_) => false,
        }
    }

    fn apply(&mut self, job: u64, event: Event) -> bool {
        if job != self.job.load(Ordering::SeqCst) {
            return false;
        }
        match (&mut self.step, event) {
            (_, Event::CancelRequested) => return self.input(Input::Cancel),
            (Step::Collecting(c), Event::CollectBegan { total }) => c.total = total,
            (Step::Collecting(c), Event::ItemStarted { id }) => {
                let name = item_name(&self.msg, &self.item_categories, &id);
                c.running.push(name);
            }
            (Step::Collecting(c), Event::ItemFinished { id }) => {
                let name = item_name(&self.msg, &self.item_categories, &id);
                if let Some(i) = c.running.iter().position(|r| *r == name) {
                    c.running.remove(i);
                }
                c.done += 1;
            }
            (Step::Collecting(_), Event::CollectEnded(result)) => match *result {
                Ok(outcome) => {
                    let c = summary::collected(&outcome, &self.msg);
                    self.collected = Some(c.clone());
                    self.step = Step::Collected(c);
                }
                Err(e) => {
                    let reason = words::collect_error(&self.msg, &e);
                    self.finish(End::Failed { reason });
                }
            },
            (Step::UploadForm(form), Event::PortalChecked { url, result }) => {
                if form.url != url {
                    return false;
                }
                match result {
                    Ok(()) => {
                        form.portal = PortalCheck::Reachable;
                        if let Some((_, password)) = self.pending.take() {
                            self.start_upload(password);
                        }
                    }
                    Err(e) => {
                        self.pending = None;
                        form.portal = PortalCheck::Problem(portal_problem(&self.msg, &url, &e));
                    }
                }
            }
            (Step::Uploading(u), Event::UploadProgress(p)) => match p {
                upload::Progress::Resumed { offset, total } => {
                    (u.done, u.total) = (offset, total);
                    u.phase = UploadPhase::Sending;
                    self.rate.record(Instant::now(), offset);
                    self.describe_upload();
                }
                upload::Progress::Sending { done, total, .. } => {
                    (u.done, u.total) = (done, total);
                    u.phase = UploadPhase::Sending;
                    u.notice = None;
                    self.rate.record(Instant::now(), done);
                    self.describe_upload();
                }
                upload::Progress::Retrying {
                    retry,
                    of,
                    delay,
                    cause,
                    ..
                } => {
                    u.notice = Some(words::retry_notice(&self.msg, retry, of, delay, &cause));
                }
            },
            (Step::Uploading(_), Event::UploadEnded(result)) => self.upload_ended(result),
            _ => return false,
        }
        true
    }

    fn choice(&self, ticked: Vec<Category>) -> Choice {
        let offered = self
            .setup
            .offered()
            .into_iter()
            .map(|category| Offered {
                category,
                label: words::category(&self.msg, category),
                ticked: ticked.contains(&category),
            })
            .collect();
        let can_restart = cfg!(windows) && !self.setup.elevated;
        let admin_note = if self.setup.elevated {
            None
        } else {
            let tasks = self.tasks(&ticked);
            words::admin_note(&self.msg, &words::admin_losses(&self.msg, &tasks), can_restart)
        };
        Choice {
            offered,
            admin_note,
            can_restart_elevated: can_restart,
            problem: None,
        }
    }

    fn tasks(&self, categories: &[Category]) -> Vec<collect::spec::Task> {
        let env = |name: &str| std::env::var(name).ok();
        self.setup
            .spec
            .as_ref()
            .ok()
            .and_then(|s| s.tasks(categories, &env).ok())
            .unwrap_or_default()
    }

    /// A new job: a new number (older events are dropped) and a fresh cancel flag.
    fn next_job(&mut self) -> (Arc<AtomicBool>, Outbox) {
        let flag = Arc::new(AtomicBool::new(false));
        *lock(&self.cancel) = flag.clone();
        let job = self.job.fetch_add(1, Ordering::SeqCst) + 1;
        let out = Outbox {
            tx: self.tx.clone(),
            wake: self.wake.clone(),
            job,
        };
        (flag, out)
    }

    fn start_collecting(&mut self, categories: Vec<Category>) {
        self.item_categories = self
            .tasks(&categories)
            .into_iter()
            .map(|t| (t.id, t.category))
            .collect();
        let deadline = self.setup.deadline();
        let (flag, out) = self.next_job();
        work::collect(
            work::CollectJob {
                categories,
                out_dir: self.setup.out_dir.clone(),
                deadline,
                spec: self.setup.spec_path.clone(),
                jobs: self.setup.jobs,
                activation_log_dirs: self.setup.config.activation_log_dirs.clone(),
            },
            flag,
            out,
        );
        self.step = Step::Collecting(Collecting {
            total: 0,
            done: 0,
            running: Vec::new(),
            started: Instant::now(),
            deadline,
            deadline_words: words::duration(&self.msg, deadline),
            cancelling: false,
        });
    }

    fn zip(&self) -> PathBuf {
        self.collected.as_ref().map(|c| c.zip.clone()).unwrap_or_default()
    }

    fn open_form(&mut self, problem: Option<String>) {
        let portal = &self.setup.config.portal;
        let url = portal.url.clone().or_else(|| self.last_url.clone()).unwrap_or_default();
        let user = self
            .last_user
            .clone()
            .or_else(|| portal.user.clone())
            .unwrap_or_default();
        self.step = Step::UploadForm(UploadForm {
            zip: self.zip(),
            url,
            url_editable: portal.url.is_none(),
            user,
            portal: PortalCheck::Unchecked,
            problem,
            wrong_passwords: self.wrong_passwords,
        });
    }

    /// Makes the form's address whole and starts the check (or says why it cannot be used).
    fn check_portal(&mut self) {
        let Step::UploadForm(form) = &mut self.step else { return };
        match upload::portal::normalise(&form.url) {
            Ok(url) => {
                form.url = url.to_string();
                form.portal = PortalCheck::Checking;
                self.last_url = Some(form.url.clone());
                let url = form.url.clone();
                let (flag, out) = self.next_job();
                work::check_portal(url, self.setup.ca_cert.clone(), flag, out);
            }
            Err(e) => {
                self.pending = None;
                form.portal = PortalCheck::Problem(portal_problem(&self.msg, &form.url, &e));
            }
        }
    }

    fn start_upload(&mut self, password: Password) {
        let Step::UploadForm(form) = &self.step else { return };
        let (url, user) = (form.url.clone(), form.user.clone());
        self.last_user = Some(user.clone());
        let mut opts = upload::Options::new(self.zip(), url, user);
        opts.case_id = self.setup.config.case_id.clone();
        opts.protocol = (self.setup.config.portal.protocol.as_deref())
            .and_then(Protocol::from_name)
            .unwrap_or(Protocol::Auto);
        opts.ca_cert = self.setup.ca_cert.clone();
        opts.retry = self.setup.retry;
        let (flag, out) = self.next_job();
        opts.cancel = Some(flag);
        work::upload(opts, password, out);
        self.rate = rate::Rate::default();
        self.step = Step::Uploading(Uploading {
            zip: self.zip(),
            phase: UploadPhase::Connecting,
            done: 0,
            total: self.collected.as_ref().map_or(0, |c| c.size),
            bytes_per_sec: None,
            time_left: None,
            status_words: self.msg.get("upload-connecting").to_string(),
            notice: None,
            cancelling: false,
        });
    }

    fn describe_upload(&mut self) {
        let Step::Uploading(u) = &mut self.step else { return };
        u.bytes_per_sec = self.rate.bytes_per_sec();
        u.time_left = self.rate.time_left(u.done, u.total);
        let mut parts = vec![self.msg.fill(
            "upload-sent",
            &[("done", &words::size(u.done)), ("total", &words::size(u.total))],
        )];
        if let Some(speed) = u.bytes_per_sec {
            parts.push(self.msg.fill("upload-speed", &[("size", &words::size(speed as u64))]));
        }
        if let Some(left) = u.time_left {
            let left = words::duration(&self.msg, left.max(Duration::from_secs(1)));
            parts.push(self.msg.fill("upload-left", &[("time", &left)]));
        }
        u.status_words = parts.join(self.msg.get("clause-separator"));
    }

    fn upload_ended(&mut self, result: Result<upload::Outcome, UploadError>) {
        match result {
            Ok(o) => self.finish(End::Uploaded {
                zip: self.zip(),
                sha256: o.sha256,
                location: o.location,
            }),
            Err(e) if e.class() == ErrorClass::Auth => {
                self.wrong_passwords += 1;
                if self.wrong_passwords < WRONG_PASSWORDS {
                    self.open_form(Some(self.msg.get("auth-retry").to_string()));
                    // The address was reachable a moment ago.
                    if let Step::UploadForm(f) = &mut self.step {
                        f.portal = PortalCheck::Reachable;
                    }
                } else {
                    let reason = words::upload_error(&self.msg, &e);
                    self.save(SaveCause::Failed, reason);
                }
            }
            Err(UploadError::Cancelled) => {
                self.save(SaveCause::Cancelled, self.msg.get("fail-cancelled").to_string());
            }
            Err(e) => {
                let reason = words::upload_error(&self.msg, &e);
                self.save(SaveCause::Failed, reason);
            }
        }
    }

    /// Ends with the zip kept; after an upload was tried, with the command that continues it.
    fn save(&mut self, cause: SaveCause, reason: String) {
        let zip = self.zip();
        let what_to_do = match (&cause, &self.last_url, &self.last_user) {
            (SaveCause::Cancelled | SaveCause::Failed, Some(url), Some(user)) => {
                let config = &self.setup.config;
                let command = words::resume_command(
                    &zip,
                    url,
                    user,
                    config.case_id.as_deref(),
                    config.portal.protocol.as_deref(),
                );
                self.msg
                    .fill("what-resume", &[("path", &zip.display()), ("command", &command)])
            }
            _ => self.msg.fill("what-upload-yourself", &[("path", &zip.display())]),
        };
        self.finish(End::Saved {
            zip,
            cause,
            reason,
            what_to_do,
            can_retry: true,
        });
    }

    fn finish(&mut self, end: End) {
        self.pending = None;
        self.step = Step::Finished(end);
    }
}

fn ticked(choice: &Choice) -> Vec<Category> {
    choice.offered.iter().filter(|o| o.ticked).map(|o| o.category).collect()
}

/// "硬件信息 · hw.lsblk": the category in words, and the item's id for support.
fn item_name(msg: &Messages, categories: &HashMap<String, Category>, id: &str) -> String {
    match categories.get(id) {
        Some(c) => msg.fill(
            "collecting-item",
            &[("category", &words::category(msg, *c)), ("item", &id)],
        ),
        None => id.to_string(),
    }
}

fn portal_problem(msg: &Messages, url: &str, e: &UploadError) -> String {
    let shown = upload::without_credentials(url);
    match e {
        UploadError::Url { .. } => msg.fill("portal-invalid", &[("url", &shown)]),
        UploadError::CredentialsInUrl { .. } => msg.get("portal-credentials").to_string(),
        UploadError::Network { detail, .. } => msg.fill(
            "portal-unreachable",
            &[("url", &shown), ("cause", &words::network_cause(msg, detail))],
        ),
        other => msg.fill(
            "portal-unusable",
            &[("url", &shown), ("cause", &words::upload_error(msg, other))],
        ),
    }
}

#[cfg(test)]
mod tests;
