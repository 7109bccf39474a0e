//! What every page template needs: the language, the header's state and the CSRF token.

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
}
