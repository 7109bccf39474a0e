//! The web server driven over HTTP, on a free port, against a fresh SQLite database per test.

mod catalogs;
mod ce;
mod helpers;
mod home;
mod login;
mod personal;
mod processes;
mod security;
