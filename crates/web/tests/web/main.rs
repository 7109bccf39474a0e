//! The web server driven over HTTP, on a free port, against a fresh SQLite database per test.

mod helpers;
mod catalogs;
mod home;
mod login;
mod security;
