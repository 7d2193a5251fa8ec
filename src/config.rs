//! `cmgelog.toml`: what support pre-configures in the package it sends (portal, categories,
//! the activation client's log folders, case id, language).
//!
//! Read from, in order, each overriding the keys it sets: the file next to the executable
//! (what support ships), then the user's configuration folder (`%APPDATA%\cmgelog\` on
//! Windows, `~/.config/cmgelog/` elsewhere), then `CMGELOG_CONFIG` if set (scripts and tests).
//!
//! ```toml
//! language = "zh"                      # zh | en; default: the system's
//! case-id = "CMGE-2026-00042"
//! categories = ["network", "activation", "hardware"]   # default: all
//! deadline = "15m"
//! activation-log-dirs = ['C:\Program Files\CMGE Activation\log']
//!
//! [portal]
//! url = "https://support.example.cn/files/"
//! user = "case-00042"                  # never a password: that is asked for, or CMGELOG_PASSWORD
//! protocol = "auto"                    # auto | tus | multipart | put
//! ```

use crate::collect::Category;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "cmgelog.toml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub language: Option<String>,
    pub case_id: Option<String>,
    pub categories: Option<Vec<Category>>,
    pub deadline: Option<String>,
    #[serde(default)]
    pub activation_log_dirs: Vec<String>,
    #[serde(default)]
    pub portal: Portal,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Portal {
    pub url: Option<String>,
    pub user: Option<String>,
    pub protocol: Option<String>,
}

/// A configuration file that exists but cannot be used: the file and toml's message (with
/// its line and column).
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl Config {
    /// Parses after [`crate::config_check::check`]: the error lists every problem with its
    /// line and column.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let problems = crate::config_check::check(&path.display().to_string(), text);
        if !problems.is_empty() {
            return Err(ConfigError {
                path: path.to_path_buf(),
                message: crate::rules::render_diagnostics(&problems),
            });
        }
        toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Keys set in `other` replace ours.
    fn overlay(mut self, other: Config) -> Config {
        self.language = other.language.or(self.language);
        self.case_id = other.case_id.or(self.case_id);
        self.categories = other.categories.or(self.categories);
        self.deadline = other.deadline.or(self.deadline);
        if !other.activation_log_dirs.is_empty() {
            self.activation_log_dirs = other.activation_log_dirs;
        }
        self.portal.url = other.portal.url.or(self.portal.url);
        self.portal.user = other.portal.user.or(self.portal.user);
        self.portal.protocol = other.portal.protocol.or(self.portal.protocol);
        self
    }

    /// The files looked at, in order; missing ones are skipped.
    pub fn search_paths() -> Vec<PathBuf> {
        let mut paths = Vec::new();
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(Path::to_path_buf))
        {
            paths.push(dir.join(FILE_NAME));
        }
        if let Some(dir) = dirs::config_dir() {
            paths.push(dir.join("cmgelog").join(FILE_NAME));
        }
        if let Some(p) = std::env::var_os("CMGELOG_CONFIG") {
            paths.push(PathBuf::from(p));
        }
        paths
    }

    /// Reads every configuration file that exists; the first broken one is an error (a
    /// package support prepared must not be silently ignored).
    pub fn load() -> Result<(Config, Vec<PathBuf>), ConfigError> {
        let mut config = Config::default();
        let mut used = Vec::new();
        for path in Config::search_paths() {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(ConfigError {
                        path,
                        message: e.to_string(),
                    })
                }
            };
            config = config.overlay(Config::parse(&path, text.trim_start_matches('\u{feff}'))?);
            used.push(path);
        }
        Ok((config, used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_parses_and_later_files_override() {
        let doc = include_str!("config.rs");
        let example: String = doc
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| format!("{}\n", l.trim_start_matches("//!").trim_start()))
            .collect();
        let c = Config::parse(Path::new("x"), &example).unwrap();
        assert_eq!(c.portal.user.as_deref(), Some("case-00042"));
        assert_eq!(c.categories.as_ref().unwrap().len(), 3);
        let user = Config::parse(Path::new("y"), "language = \"en\"\n[portal]\nuser = \"other\"\n").unwrap();
        let merged = c.overlay(user);
        assert_eq!(merged.language.as_deref(), Some("en"));
        assert_eq!(merged.portal.user.as_deref(), Some("other"));
        assert_eq!(merged.portal.url.as_deref(), Some("https://support.example.cn/files/"));
        assert_eq!(merged.case_id.as_deref(), Some("CMGE-2026-00042"));
    }

    /// windows/cmgelog.toml, the example scripts/package.sh ships next to the exe: as shipped
    /// (every setting commented out) it changes nothing, and with every setting uncommented
    /// (a `#` directly followed by a key or a table) each key is one the program reads.
    #[test]
    fn the_shipped_example_is_neutral_and_every_setting_in_it_is_valid() {
        let shipped = include_str!("../windows/cmgelog.toml");
        let as_shipped = Config::parse(Path::new("cmgelog.toml"), shipped).unwrap();
        assert_eq!(as_shipped, Config::default());

        let filled: String = shipped
            .lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase() || c == '[') => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let c = Config::parse(Path::new("cmgelog.toml"), &filled).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(c.language.as_deref(), Some("zh"));
        assert_eq!(c.case_id.as_deref(), Some("CMGE-2026-00042"));
        assert_eq!(c.categories.as_ref().map(Vec::len), Some(4));
        assert_eq!(c.deadline.as_deref(), Some("15m"));
        assert_eq!(c.activation_log_dirs.len(), 1);
        assert_eq!(c.portal.url.as_deref(), Some("https://support.example.cn/files/"));
        assert_eq!(c.portal.user.as_deref(), Some("case-00042"));
        assert_eq!(c.portal.protocol.as_deref(), Some("auto"));
    }

    #[test]
    fn mistakes_name_the_file_and_line_and_passwords_are_refused() {
        let e = Config::parse(Path::new("cmgelog.toml"), "[portal]\npassword = \"x\"\n").unwrap_err();
        assert!(
            e.message.contains("cmgelog.toml:2:1") && e.message.contains("a password never goes into cmgelog.toml"),
            "{}",
            e.message
        );
    }
}
