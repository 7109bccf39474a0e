//! What every page template needs: the language, the header's state and the CSRF token.

use chrono::NaiveDate;

use crate::i18n::{Lang, Messages};
use crate::routes::assets;
use crate::session::Ctx;

pub struct Chrome {
    pub t: &'static Messages,
    pub lang: Lang,
    pub signed_in: bool,
    pub csrf: String,
    /// Where the language switch returns to.
    pub here: String,
}

impl Chrome {
    pub fn new(ctx: &Ctx) -> Chrome {
        Chrome {
            t: ctx.lang.messages(),
            lang: ctx.lang,
            signed_in: ctx.account_id().is_some(),
            csrf: ctx.csrf_token().to_owned(),
            here: ctx.path.clone(),
        }
    }

    /// A catalog message.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.t.get(key)
    }

    pub fn lang_tag(&self) -> &'static str {
        self.lang.tag()
    }

    /// The address of a static file, with a version that changes when the file does.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// A date as members read it: the ROC form (116年05月31日) in Chinese, the Gregorian form
    /// (31 May 2027) in English.
    pub fn date(&self, date: NaiveDate) -> String {
        self.t.date(date)
    }

    /// A catalog message as HTML, with each value escaped and marked as Chinese text: names and
    /// institutions are Chinese on English pages too, and screen readers must read them so.
    pub fn format_html(&self, key: &str, args: &[(&str, &str)]) -> String {
        let wrapped: Vec<(&str, String)> = args
            .iter()
            .map(|(name, value)| (*name, format!("<span lang=\"zh-Hant-TW\">{}</span>", escape_html(value))))
            .collect();
        let pairs: Vec<(&str, &str)> = wrapped.iter().map(|(n, v)| (*n, v.as_str())).collect();
        // The message itself comes from our catalog, but is escaped all the same before the
        // values go in, so a catalog typo cannot open a hole.
        let mut text = escape_html(self.t.get(key));
        for (name, value) in pairs {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

/// Escapes the five characters that matter in HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}
