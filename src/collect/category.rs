//! The categories a user can tick, as the old CMGELogCollector named them, plus the hardware
//! inventory that replaces the vendor tool engineers used to send separately.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    GroupPolicy,
    Network,
    EventLogs,
    Software,
    Processes,
    Activation,
    Upgrade,
    Hardware,
}

impl Category {
    /// In the order the old tool listed them.
    pub const ALL: [Category; 8] = [
        Category::GroupPolicy,
        Category::Network,
        Category::EventLogs,
        Category::Software,
        Category::Processes,
        Category::Activation,
        Category::Upgrade,
        Category::Hardware,
    ];

    /// The id used on the command line, in the manifest and as the folder in the zip.
    pub fn id(self) -> &'static str {
        match self {
            Category::GroupPolicy => "group-policy",
            Category::Network => "network",
            Category::EventLogs => "event-logs",
            Category::Software => "software",
            Category::Processes => "processes",
            Category::Activation => "activation",
            Category::Upgrade => "upgrade",
            Category::Hardware => "hardware",
        }
    }

    /// The name users know from the old tool's checkboxes.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Category::GroupPolicy, Lang::Zh) => "组策略信息",
            (Category::Network, Lang::Zh) => "网络信息",
            (Category::EventLogs, Lang::Zh) => "系统日志",
            (Category::Software, Lang::Zh) => "软件信息",
            (Category::Processes, Lang::Zh) => "系统进程",
            (Category::Activation, Lang::Zh) => "激活日志",
            (Category::Upgrade, Lang::Zh) => "升级日志",
            (Category::Hardware, Lang::Zh) => "硬件信息",
            (Category::GroupPolicy, Lang::En) => "Group policy",
            (Category::Network, Lang::En) => "Network",
            (Category::EventLogs, Lang::En) => "Event logs",
            (Category::Software, Lang::En) => "Installed software",
            (Category::Processes, Lang::En) => "Processes",
            (Category::Activation, Lang::En) => "Activation logs",
            (Category::Upgrade, Lang::En) => "Upgrade logs",
            (Category::Hardware, Lang::En) => "Hardware inventory",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Category {
    type Err = String;

    /// Accepts the id (`event-logs`), the id with `_`, or the Chinese label (`系统日志`).
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Category::ALL
            .into_iter()
            .find(|c| c.id() == wanted || c.label(Lang::Zh) == s.trim())
            .ok_or_else(|| {
                let ids: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
                format!("unknown category '{s}' (known: {})", ids.join(", "))
            })
    }
}

/// Parses `network,hardware` (or `all`) into categories, in the canonical order.
pub fn parse_list(list: &str) -> Result<Vec<Category>, String> {
    if list.trim().eq_ignore_ascii_case("all") {
        return Ok(Category::ALL.to_vec());
    }
    let mut chosen: Vec<Category> = list
        .split([',', '，', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(Category::from_str)
        .collect::<Result<_, _>>()?;
    chosen.sort();
    chosen.dedup();
    if chosen.is_empty() {
        return Err("no category given".into());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_in_canonical_order() {
        assert_eq!(
            parse_list("hardware, network,network").unwrap(),
            vec![Category::Network, Category::Hardware]
        );
        assert_eq!(parse_list("ALL").unwrap().len(), 8);
        assert_eq!(parse_list("系统日志，event_logs").unwrap(), vec![Category::EventLogs]);
        let err = parse_list("network,printers").unwrap_err();
        assert!(err.contains("printers") && err.contains("group-policy"), "{err}");
    }
}
