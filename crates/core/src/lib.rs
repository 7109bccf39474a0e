//! The domain of the nurses' and midwives' member portal.
//!
//! Nothing here performs I/O or knows about the web or the database: every function takes the
//! facts it needs (including "today") as arguments, so each rule can be tested on its own.

pub mod id;
pub mod licence;
pub mod password_policy;
pub mod points;
pub mod profession;
pub mod reentry;
pub mod registry;
pub mod resume;
pub mod roc;
pub mod rules;
