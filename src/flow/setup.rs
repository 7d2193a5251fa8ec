//! What a flow starts from: the configuration (or why it is broken), the language, the spec
//! for this OS, and where the zip goes. Views build it once; tests replace the parts that
//! touch the machine (output folder, spec, retry waits).

use crate::collect::{self, spec::Spec, Category};
use crate::config::{Config, ConfigError};
use crate::i18n::Lang;
use crate::upload::RetryPolicy;
use std::path::PathBuf;
use std::time::Duration;

/// The default limit of a whole collection when `cmgelog.toml` sets none.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(600);

#[derive(Debug)]
pub struct Setup {
    pub lang: Lang,
    pub config: Config,
    /// A `cmgelog.toml` that could not be used: the flow starts at [`super::Step::BrokenConfig`].
    pub config_error: Option<ConfigError>,
    /// The spec for this OS (with the activation folders of the configuration added), or why
    /// it could not be loaded (only a replaced spec can fail).
    pub spec: Result<Spec, String>,
    /// A spec file replacing the built-in one (`None`: the built-in one), for the collection.
    pub spec_path: Option<PathBuf>,
    pub out_dir: PathBuf,
    pub elevated: bool,
    /// Items run at once.
    pub jobs: usize,
    /// The upload's retries (tests make the waits short).
    pub retry: RetryPolicy,
    /// Extra CA certificate for a portal with a private CA.
    pub ca_cert: Option<PathBuf>,
}

impl Setup {
    /// The real thing: the spec compiled in for this OS, the default output folder, whether
    /// this process is elevated. `config` is what [`Config::load`] returned.
    pub fn new(config: Result<Config, ConfigError>, lang: Lang) -> Setup {
        let (config, config_error) = match config {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e)),
        };
        let mut setup = Setup {
            lang,
            config,
            config_error,
            spec: Err(String::new()),
            spec_path: None,
            out_dir: collect::platform::default_out_dir(),
            elevated: collect::platform::elevated(),
            jobs: 4,
            retry: RetryPolicy::default(),
            ca_cert: None,
        };
        setup.load_spec();
        setup
    }

    /// Replaces the spec with the file at `path` (tests: a spec that runs fast, or slowly).
    pub fn with_spec_file(mut self, path: PathBuf) -> Setup {
        self.spec_path = Some(path);
        self.load_spec();
        self
    }

    fn load_spec(&mut self) {
        self.spec = collect::load_spec(self.spec_path.as_deref())
            .map(|(_, mut spec)| {
                spec.add_activation_dirs(&self.config.activation_log_dirs);
                spec
            })
            .map_err(|e| match e {
                collect::CollectError::Spec(text) => text,
                other => format!("{other:?}"),
            });
    }

    /// The categories the spec has items for, in the old tool's order.
    pub fn offered(&self) -> Vec<Category> {
        let supported = self.spec.as_ref().map(Spec::categories).unwrap_or_default();
        Category::ALL
            .iter()
            .copied()
            .filter(|c| supported.contains(c))
            .collect()
    }

    /// Ticked at the start: those of `cmgelog.toml` (that are offered), else all offered.
    pub fn preset(&self) -> Vec<Category> {
        let offered = self.offered();
        match &self.config.categories {
            Some(list) => offered.into_iter().filter(|c| list.contains(c)).collect(),
            None => offered,
        }
    }

    pub fn deadline(&self) -> Duration {
        self.config
            .deadline
            .as_deref()
            .and_then(|d| humantime::parse_duration(d).ok())
            .unwrap_or(DEFAULT_DEADLINE)
    }
}
