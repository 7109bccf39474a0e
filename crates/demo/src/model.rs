//! The records of the demo set are the registry's own records.

pub use huzhu_core::registry::{
    Certificate, Credit, EventKind, Learning, Licence, LicenceEvent, Person, Role, Sex,
};
