//! The background work of a flow, each job on its own thread: the collection, the portal
//! check, the upload. A job reports through an [`Outbox`] (a channel, plus the view's waker),
//! tagged with its job number so that a late event of a cancelled job is recognised and
//! dropped. Each job has its own cancel flag, set by the flow or a [`super::Canceller`].

use super::input::Event;
use crate::collect::{self, Category};
use crate::upload::{self, Password};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

/// Called after each event is queued, from the worker's thread: a window posts itself a
/// message so that its own thread calls [`super::Flow::pump`]; a terminal needs none.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Where a job's events go.
#[derive(Clone)]
pub(crate) struct Outbox {
    pub tx: Sender<(u64, Event)>,
    pub wake: Option<Waker>,
    pub job: u64,
}

impl Outbox {
    pub fn send(&self, event: Event) {
        // The flow is gone (the view closed): nobody is interested any more.
        if self.tx.send((self.job, event)).is_ok() {
            if let Some(wake) = &self.wake {
                wake();
            }
        }
    }
}

/// The collection's progress, forwarded as events.
struct Forward<'a>(&'a Outbox);

impl collect::Progress for Forward<'_> {
    fn begin(&self, total: usize) {
        self.0.send(Event::CollectBegan { total });
    }
    fn item_started(&self, id: &str) {
        self.0.send(Event::ItemStarted { id: id.to_string() });
    }
    fn item_finished(&self, id: &str) {
        self.0.send(Event::ItemFinished { id: id.to_string() });
    }
}

pub(crate) struct CollectJob {
    pub categories: Vec<Category>,
    pub out_dir: std::path::PathBuf,
    pub deadline: Duration,
    pub spec: Option<std::path::PathBuf>,
    pub jobs: usize,
    pub activation_log_dirs: Vec<String>,
}

pub(crate) fn collect(job: CollectJob, cancel: Arc<AtomicBool>, out: Outbox) {
    std::thread::spawn(move || {
        let opts = collect::Options {
            categories: job.categories,
            out_dir: job.out_dir,
            deadline: job.deadline,
            spec: job.spec,
            jobs: job.jobs,
            activation_log_dirs: job.activation_log_dirs,
        };
        let result = collect::collect(&opts, &cancel, &Forward(&out));
        out.send(Event::CollectEnded(Box::new(result)));
    });
}

/// Checks the portal at `url` (already made whole); `cancel` ends the wait at once.
pub(crate) fn check_portal(url: String, ca_cert: Option<std::path::PathBuf>, cancel: Arc<AtomicBool>, out: Outbox) {
    std::thread::spawn(move || {
        let result =
            upload::portal::normalise(&url).and_then(|u| upload::portal::present(&u, ca_cert.as_deref(), Some(cancel)));
        out.send(Event::PortalChecked { url, result });
    });
}

/// Uploads; the password lives only in this thread and is zeroed when it ends.
pub(crate) fn upload(opts: upload::Options, password: Password, out: Outbox) {
    std::thread::spawn(move || {
        let result = upload::upload(&opts, &password, &mut |p| out.send(Event::UploadProgress(p)));
        out.send(Event::UploadEnded(result));
    });
}
