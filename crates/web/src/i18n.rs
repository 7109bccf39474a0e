//! Message catalogs: Traditional Chinese first, English second.
//!
//! Catalogs are TOML files compiled into the binary. Tables nest keys (`[login] title = …` is
//! `login.title`). Placeholders are `{name}`; Chinese has no plural forms, so plain substitution
//! is enough and keeps the catalogs readable for translators.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use huzhu_core::roc;

/// A language the pages are available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    ZhTw,
    En,
}

impl Lang {
    /// The BCP 47 tag, used in `<html lang>` and in the language cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-Hant-TW",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-Hant-TW" | "zh-TW" | "zh" => Some(Lang::ZhTw),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn messages(self) -> &'static Messages {
        static CATALOGS: OnceLock<(Messages, Messages)> = OnceLock::new();
        let (zh, en) = CATALOGS.get_or_init(|| {
            (
                Messages::from_toml(include_str!("../locales/zh-TW.toml"), Lang::ZhTw),
                Messages::from_toml(include_str!("../locales/en.toml"), Lang::En),
            )
        });
        match self {
            Lang::ZhTw => zh,
            Lang::En => en,
        }
    }
}

/// One language's messages, and its way of writing dates.
#[derive(Debug, Default)]
pub struct Messages {
    /// Keyed with FxHash: the keys are the catalog's own, never a visitor's input, and a page
    /// looks up dozens of them (SipHash showed in the benchmark's profile).
    entries: FxHashMap<String, String>,
    lang: Lang,
}

impl Messages {
    /// Reads a catalog. The catalogs ship inside the binary and are checked by tests, so a
    /// malformed one is a build mistake: it yields an empty catalog, and every key then shows
    /// as itself rather than bringing the server down.
    pub fn from_toml(text: &str, lang: Lang) -> Messages {
        let mut entries = FxHashMap::default();
        if let Ok(table) = text.parse::<toml::Table>() {
            flatten("", &table, &mut entries);
        }
        Messages { entries, lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// A date in a sentence: the ROC form (116年05月31日) in Chinese, the Gregorian form
    /// (31 May 2027) in English.
    pub fn date(&self, date: NaiveDate) -> String {
        match self.lang {
            Lang::ZhTw => roc::format_long(date),
            Lang::En => date.format("%-d %B %Y").to_string(),
        }
    }

    /// A date in a table: 113/05/31 in Chinese, 2024-05-31 in English.
    pub fn short_date(&self, date: NaiveDate) -> String {
        match self.lang {
            Lang::ZhTw => roc::format_short(date),
            Lang::En => date.format("%Y-%m-%d").to_string(),
        }
    }

    /// The message for `key`; the key itself when it is missing, so a gap is visible, not blank.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.entries.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message for `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut FxHashMap<String, String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            toml::Value::Table(inner) => flatten(&full, inner, out),
            _ => {}
        }
    }
}
