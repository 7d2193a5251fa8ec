//! Languages: every user-facing text exists in Chinese and English; the language comes from
//! `--lang`, else the system locale (zh-* → Chinese, anything else → English).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The system's language: `LC_ALL`, `LC_MESSAGES`, `LANG` (in that order, as POSIX does),
    /// then the OS locale (Windows has no such variables).
    pub fn detect() -> Lang {
        let from_env = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty());
        let locale = from_env.or_else(sys_locale::get_locale).unwrap_or_default();
        Lang::from_locale(&locale)
    }

    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }
}

/// A text in Chinese and English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub zh: String,
    pub en: String,
}

impl Localized {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Localized {
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("zh-Hans-CN"), Lang::Zh);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }
}
