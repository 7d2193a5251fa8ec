//! The texts of the end-user screens (wizard, collect, upload) and of the reports' own words
//! (the notes on a collection manifest or a setup log, damaged event logs), one file per
//! language: `locales/zh.toml` and `locales/en.toml`, compiled in. Placeholders are `{name}`.

use crate::i18n::{Lang, Localized};
use std::collections::HashMap;
use std::sync::LazyLock;

static ZH: LazyLock<Messages> = LazyLock::new(|| Messages::new(Lang::Zh));
static EN: LazyLock<Messages> = LazyLock::new(|| Messages::new(Lang::En));

/// A text in both languages, for what is worded once and shown in either (a finding's note).
pub fn localized(key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Localized {
    Localized::new(
        Messages::of(Lang::Zh).fill(key, args),
        Messages::of(Lang::En).fill(key, args),
    )
}

pub struct Messages {
    texts: HashMap<String, String>,
}

impl Messages {
    pub fn new(lang: Lang) -> Messages {
        let source = match lang {
            Lang::Zh => include_str!("../locales/zh.toml"),
            Lang::En => include_str!("../locales/en.toml"),
        };
        // The catalogs are ours and tested; a broken one is a build defect, caught by the tests.
        let texts = toml::from_str(source).expect("locales/*.toml parse");
        Messages { texts }
    }

    /// The catalog of `lang`, parsed once per process.
    pub fn of(lang: Lang) -> &'static Messages {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The text for `key`; a missing key shows as the key itself rather than failing.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut s = self.get(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys_and_placeholders() {
        let zh = Messages::new(Lang::Zh);
        let en = Messages::new(Lang::En);
        let mut zk: Vec<&String> = zh.texts.keys().collect();
        let mut ek: Vec<&String> = en.texts.keys().collect();
        zk.sort();
        ek.sort();
        assert_eq!(zk, ek);
        let placeholders = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|x| x.0.to_string()))
                .collect();
            v.sort();
            v
        };
        for k in zk {
            assert_eq!(placeholders(zh.get(k)), placeholders(en.get(k)), "{k}");
        }
        assert_eq!(en.fill("collected", &[("path", &"C:\\x.zip")]), "Collected: C:\\x.zip");
    }
}
