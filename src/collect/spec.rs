//! Collection declared as data: a spec file lists items (run a command, copy files, export a
//! registry key or an event log, list a folder, probe endpoints); [`Spec::tasks`] turns them
//! into the tasks the runner executes. One spec per OS is compiled in (`specs/*.toml`);
//! `--spec FILE` replaces it. The format is documented in `specs/README.md`.

use super::category::Category;
use super::expand::expand_vars;
use serde::Deserialize;
use std::time::Duration;

/// The spec compiled in for the OS this binary runs on.
pub fn builtin() -> (&'static str, &'static str) {
    if cfg!(windows) {
        ("builtin:windows", include_str!("../../specs/windows.toml"))
    } else {
        ("builtin:linux", include_str!("../../specs/linux.toml"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `windows` or `linux`: what the items were written for.
    pub os: String,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(rename = "item", default)]
    pub items: Vec<ItemSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Defaults {
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    pub max_bytes: ByteSize,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            timeout: Duration::from_secs(60),
            max_bytes: ByteSize(32 * 1024 * 1024),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Command,
    Files,
    Registry,
    Eventlog,
    Dir,
    Probe,
    /// A WMI query run in-process over COM (no wmic, no PowerShell): `class`, `properties`,
    /// optional `namespace` and `where`.
    Wmi,
    /// Device properties of every disk drive and network adapter through the configuration
    /// manager (SetupAPI): instance id, friendly name, "in the local machine container",
    /// removal policy, bus type, container id.
    Devprops,
}

/// One item as written in the spec. Which keys apply depends on `kind`; [`Spec::tasks`]
/// refuses keys that are missing for the kind, naming the item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ItemSpec {
    pub id: String,
    pub category: Category,
    pub kind: ItemKind,
    /// command: the argv; `{out}` stands for a file the command writes instead of stdout.
    pub argv: Option<Vec<String>>,
    /// command: exit codes that are not a failure (default `[0]`).
    pub ok_exit_codes: Option<Vec<i32>>,
    /// files: paths or globs, environment variables allowed (`%WINDIR%`, `$HOME`).
    pub paths: Option<Vec<String>>,
    /// files: at most this many files, newest first (default 20).
    pub max_files: Option<usize>,
    /// registry: the key to export (`HKLM\SOFTWARE\Policies`).
    pub key: Option<String>,
    /// eventlog: the channel (`Application`).
    pub channel: Option<String>,
    /// eventlog: how many recent events go into the XML export (default 2000).
    pub recent: Option<u32>,
    /// dir: the folder to list.
    pub dir: Option<String>,
    /// dir: how deep to list (default 2).
    pub depth: Option<usize>,
    /// probe: `host:port` endpoints to resolve and connect to.
    pub endpoints: Option<Vec<String>>,
    /// wmi: the namespace (default `root\cimv2`).
    pub namespace: Option<String>,
    /// wmi: the class to query.
    pub class: Option<String>,
    /// wmi: the properties to read (names, as WQL's SELECT list).
    pub properties: Option<Vec<String>>,
    /// wmi: a WQL condition (`PartialProductKey IS NOT NULL`).
    #[serde(rename = "where")]
    pub filter: Option<String>,
    /// Where the output goes in the zip: a file (command, registry, dir, probe), a folder
    /// (files), a path without extension (eventlog: `.evtx` and `.xml` are added).
    pub path: String,
    #[serde(default, with = "humantime_serde_compat::option")]
    pub timeout: Option<Duration>,
    pub max_bytes: Option<ByteSize>,
    /// The encoding the tool is expected to write (documentation; the manifest records the
    /// encoding actually detected).
    pub encoding: Option<String>,
    #[serde(default)]
    pub needs_admin: bool,
}

/// What a task does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Run `argv`; its stdout is the output, or the file `{out}` when `output_file`.
    Command {
        argv: Vec<String>,
        output_file: bool,
        ok_exit_codes: Vec<i32>,
    },
    Files {
        patterns: Vec<String>,
        max_files: usize,
    },
    Dir {
        root: String,
        depth: usize,
    },
    Probe {
        endpoints: Vec<String>,
    },
    Wmi(WmiQuery),
    Devprops,
}

/// One WMI query of a `wmi` item.
#[derive(Debug, Clone, PartialEq)]
pub struct WmiQuery {
    pub namespace: String,
    pub class: String,
    pub properties: Vec<String>,
    pub filter: Option<String>,
}

impl WmiQuery {
    /// The WQL text.
    pub fn wql(&self) -> String {
        let mut q = format!("SELECT {} FROM {}", self.properties.join(","), self.class);
        if let Some(f) = &self.filter {
            q.push_str(" WHERE ");
            q.push_str(f);
        }
        q
    }
}

/// One unit of work for the runner and one (or, for file globs, several) manifest rows.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub category: Category,
    /// The spec kind, as the manifest shows it.
    pub kind: &'static str,
    pub action: Action,
    pub zip_path: String,
    pub timeout: Duration,
    pub max_bytes: u64,
    pub needs_admin: bool,
}

impl Spec {
    /// Parses a spec after [`spec_lint::lint`](super::spec_lint::lint): the error lists every
    /// problem with its file, line and column.
    pub fn parse(name: &str, text: &str) -> Result<Spec, String> {
        let problems = super::spec_lint::lint(name, text);
        if !problems.is_empty() {
            return Err(crate::rules::render_diagnostics(&problems));
        }
        toml::from_str(text).map_err(|e| format!("{name}: {e}"))
    }

    /// The tasks of the chosen categories, with environment variables expanded by `env`.
    pub fn tasks(&self, chosen: &[Category], env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Task>, String> {
        let mut tasks = Vec::new();
        for item in self.items.iter().filter(|i| chosen.contains(&i.category)) {
            item.compile(&self.defaults, env, &mut tasks)?;
        }
        let mut seen = std::collections::HashSet::new();
        for t in &tasks {
            if !seen.insert(t.id.as_str()) {
                return Err(format!("item id '{}' is used twice", t.id));
            }
        }
        Ok(tasks)
    }

    /// Adds the activation client's log folders a configuration names (`cmgelog.toml`
    /// `activation-log-dirs`): every file in them, newest first.
    pub fn add_activation_dirs(&mut self, dirs: &[String]) {
        if dirs.is_empty() {
            return;
        }
        let sep = if self.os == "windows" { '\\' } else { '/' };
        self.items.push(ItemSpec {
            id: "act.configured-logs".into(),
            category: Category::Activation,
            kind: ItemKind::Files,
            argv: None,
            ok_exit_codes: None,
            paths: Some(
                dirs.iter()
                    .map(|d| format!("{}{sep}*", d.trim_end_matches(['/', '\\'])))
                    .collect(),
            ),
            max_files: Some(50),
            key: None,
            channel: None,
            recent: None,
            dir: None,
            depth: None,
            endpoints: None,
            namespace: None,
            class: None,
            properties: None,
            filter: None,
            path: "activation/configured".into(),
            timeout: None,
            max_bytes: None,
            encoding: None,
            needs_admin: false,
        });
    }

    /// The categories this spec has items for (a Linux machine has no group policy).
    pub fn categories(&self) -> Vec<Category> {
        let mut c: Vec<Category> = self.items.iter().map(|i| i.category).collect();
        c.sort();
        c.dedup();
        c
    }
}

impl ItemSpec {
    fn compile(
        &self,
        defaults: &Defaults,
        env: &dyn Fn(&str) -> Option<String>,
        out: &mut Vec<Task>,
    ) -> Result<(), String> {
        let missing = |key: &str| format!("item '{}' ({:?}) needs '{key}'", self.id, self.kind);
        let x = |s: &String| expand_vars(s, env);
        let task = |id: String, kind: &'static str, action: Action, zip_path: String| Task {
            id,
            category: self.category,
            kind,
            action,
            zip_path,
            timeout: self.timeout.unwrap_or(defaults.timeout),
            max_bytes: self.max_bytes.unwrap_or(defaults.max_bytes).0,
            needs_admin: self.needs_admin,
        };
        match self.kind {
            ItemKind::Command => {
                let argv: Vec<String> = self
                    .argv
                    .as_ref()
                    .ok_or_else(|| missing("argv"))?
                    .iter()
                    .map(x)
                    .collect();
                if argv.is_empty() {
                    return Err(missing("argv"));
                }
                let output_file = argv.iter().any(|a| a.contains(OUT));
                let ok_exit_codes = self.ok_exit_codes.clone().unwrap_or_else(|| vec![0]);
                out.push(task(
                    self.id.clone(),
                    "command",
                    Action::Command {
                        argv,
                        output_file,
                        ok_exit_codes,
                    },
                    self.path.clone(),
                ));
            }
            ItemKind::Files => {
                let patterns = self
                    .paths
                    .as_ref()
                    .ok_or_else(|| missing("paths"))?
                    .iter()
                    .map(x)
                    .collect();
                let max_files = self.max_files.unwrap_or(20);
                out.push(task(
                    self.id.clone(),
                    "files",
                    Action::Files { patterns, max_files },
                    self.path.clone(),
                ));
            }
            ItemKind::Registry => {
                let key = self.key.as_ref().ok_or_else(|| missing("key"))?;
                let argv = ["reg", "export", key, OUT, "/y"].map(String::from).to_vec();
                out.push(task(
                    self.id.clone(),
                    "registry",
                    Action::Command {
                        argv,
                        output_file: true,
                        ok_exit_codes: vec![0],
                    },
                    self.path.clone(),
                ));
            }
            ItemKind::Eventlog => {
                let channel = self.channel.as_ref().ok_or_else(|| missing("channel"))?;
                // The raw log keeps everything for later; the XML carries the rendered messages,
                // which a Linux analyzer cannot produce without the providers' DLLs.
                let epl = ["wevtutil", "epl", channel, OUT, "/ow:true"].map(String::from).to_vec();
                let count = format!("/c:{}", self.recent.unwrap_or(2000));
                let qe = [
                    "wevtutil",
                    "qe",
                    channel,
                    "/f:RenderedXml",
                    "/e:Events",
                    "/rd:true",
                    &count,
                    "/uni:true",
                ]
                .map(String::from)
                .to_vec();
                for (suffix, argv, output_file) in [("evtx", epl, true), ("xml", qe, false)] {
                    let action = Action::Command {
                        argv,
                        output_file,
                        ok_exit_codes: vec![0],
                    };
                    let path = format!("{}.{suffix}", self.path);
                    out.push(task(format!("{}.{suffix}", self.id), "eventlog", action, path));
                }
            }
            ItemKind::Dir => {
                let root = x(self.dir.as_ref().ok_or_else(|| missing("dir"))?);
                let depth = self.depth.unwrap_or(2);
                out.push(task(
                    self.id.clone(),
                    "dir",
                    Action::Dir { root, depth },
                    self.path.clone(),
                ));
            }
            ItemKind::Probe => {
                let endpoints = self.endpoints.clone().ok_or_else(|| missing("endpoints"))?;
                out.push(task(
                    self.id.clone(),
                    "probe",
                    Action::Probe { endpoints },
                    self.path.clone(),
                ));
            }
            ItemKind::Wmi => {
                let query = WmiQuery {
                    namespace: self.namespace.clone().unwrap_or_else(|| r"root\cimv2".into()),
                    class: self.class.clone().ok_or_else(|| missing("class"))?,
                    properties: self.properties.clone().ok_or_else(|| missing("properties"))?,
                    filter: self.filter.clone(),
                };
                out.push(task(self.id.clone(), "wmi", Action::Wmi(query), self.path.clone()));
            }
            ItemKind::Devprops => {
                out.push(task(self.id.clone(), "devprops", Action::Devprops, self.path.clone()));
            }
        }
        Ok(())
    }
}

/// The placeholder for "the file the command writes" in an argv.
pub const OUT: &str = "{out}";

/// A size written as `1048576`, `"512KiB"`, `"32MiB"` or `"1GiB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(ByteSize(n)),
            Raw::S(s) => parse_size(&s).map(ByteSize).map_err(serde::de::Error::custom),
        }
    }
}

pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{s}' is not a size (e.g. 512KiB, 32MiB)"))?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "KB" => 1 << 10,
        "MiB" | "M" | "MB" => 1 << 20,
        "GiB" | "G" | "GB" => 1 << 30,
        other => return Err(format!("unknown size unit '{other}' in '{s}' (use KiB, MiB, GiB)")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("'{s}' is too large"))
}

/// `"60s"`, `"2m"`: durations as humantime writes them.
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use super::*;
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn both_builtin_specs_parse_and_compile() {
        for (name, text) in [
            ("windows", include_str!("../../specs/windows.toml")),
            ("linux", include_str!("../../specs/linux.toml")),
        ] {
            let spec = Spec::parse(name, text).unwrap();
            assert_eq!(spec.os, name);
            let tasks = spec.tasks(&Category::ALL, &no_env).unwrap();
            assert!(tasks.len() > 10, "{name}: {} tasks", tasks.len());
            for t in &tasks {
                assert!(
                    t.zip_path == t.category.id()
                        || t.zip_path.starts_with(&format!("{}/", t.category.id()))
                        || t.zip_path.starts_with("system/"),
                    "{name}: {} goes to {}",
                    t.id,
                    t.zip_path
                );
            }
        }
        let win = Spec::parse("w", include_str!("../../specs/windows.toml")).unwrap();
        assert_eq!(
            win.categories(),
            Category::ALL.to_vec(),
            "Windows covers every category"
        );
    }

    #[test]
    fn eventlog_items_become_a_raw_and_an_xml_export() {
        let spec = Spec::parse(
            "t",
            r#"os = "windows"
[[item]]
id = "ev.app"
category = "event-logs"
kind = "eventlog"
channel = "Application"
recent = 50
path = "event-logs/Application"
"#,
        )
        .unwrap();
        let tasks = spec.tasks(&[Category::EventLogs], &no_env).unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0].zip_path, "event-logs/Application.evtx");
        assert!(matches!(&tasks[0].action, Action::Command { output_file: true, argv, .. } if argv[3] == OUT));
        assert!(matches!(&tasks[1].action, Action::Command { argv, .. } if argv.contains(&"/c:50".to_string())));
        assert!(spec.tasks(&[Category::Network], &no_env).unwrap().is_empty());
    }

    #[test]
    fn errors_name_the_item_or_the_line() {
        let e = Spec::parse("x.toml", "os = \"linux\"\n[[item]]\nid = 1\n").unwrap_err();
        assert!(e.contains("x.toml:3:6") && e.contains("`id` must be a string"), "{e}");
        // A missing key is found at parse time, whatever categories are chosen later.
        let e = Spec::parse(
            "t",
            "os = \"linux\"\n[[item]]\nid = \"a\"\ncategory = \"network\"\nkind = \"command\"\npath = \"network/a\"\n",
        )
        .unwrap_err();
        assert!(
            e.contains("item `a` (kind `command`) is missing `argv`") && e.contains("t:2:1"),
            "{e}"
        );
        assert_eq!(parse_size("32MiB").unwrap(), 32 << 20);
        assert!(parse_size("3 parsecs").is_err());
    }
}
