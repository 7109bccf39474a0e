//! A realistic, reproducible demo data set of nurses and midwives, as plain structs.
//!
//! [`person`] generates member number `index` from a seed alone, so any slice of a set of any
//! size can be generated in any order or in parallel; [`showcase`] adds a few hand-made members
//! whose figures are known exactly. The store decides how to insert them.
//!
//! What the generator follows (DOMAIN.md): valid, unique ID numbers with realistic area letters
//! and about one resident number in two hundred (§3); 護理師, 護士, 助產師 and 助產士 with their
//! certificates; practice histories with 登記, 更新, 停業, 復業, 變更執業處所, 歇業, 註銷 and
//! 廢止 in date order and renewal due dates by REG art. 8 (§1.7, §2.2); and a CE ledger with
//! the four categories, the activity rows of the annex and their point patterns (§1.2–1.4).

mod catalogue;
mod credits;
mod history;
mod home;
mod ids;
mod institutions;
mod model;
mod names;
mod person;
mod random;
mod showcase;

pub use home::{HomeContent, QuickLink, Quote, Video, home_content};
pub use institutions::{Institution, institutions};
pub use model::{Certificate, Credit, EventKind, Learning, Licence, LicenceEvent, Person, Role, Sex};
pub use person::{DemoConfig, person};
pub use showcase::{not_yet_registered, showcase};

/// The one password of every demo account (generated and showcase alike).
pub const DEMO_PASSWORD: &str = "Huzhu-demo-2026!";
