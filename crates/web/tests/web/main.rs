//! The web server driven over HTTP, on a free port, against a fresh SQLite database per test.

mod account_page;
mod accounts;
mod bursts;
mod card;
mod catalogs;
mod ce;
mod device_cookies;
mod helpers;
mod home;
mod login;
mod logs;
mod operator;
mod outbox;
mod personal;
mod processes;
mod security;
mod shared_address;
mod smtp;
mod smtp_tls;
mod throttle;
