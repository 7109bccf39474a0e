//! Password hashing with Argon2id, off the async runtime.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes `password` with Argon2id at the library's defaults (m = 19 MiB, t = 2, p = 1, the
/// OWASP minimum). Runs on the blocking pool: a hash takes tens of milliseconds.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await.context("joining the hashing task")?
}

/// Hashes on the calling thread, for command-line tools and bulk data generation.
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("hashing a password: {error}"))
}

/// Whether `password` matches `stored`. A malformed stored hash is treated as no match.
pub async fn verify(password: String, stored: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .context("joining the verification task")
}

/// A hash of a random password, to verify against for IDs without an account.
pub async fn dummy_hash() -> anyhow::Result<String> {
    let random: [u8; 16] = rand::random();
    hash(hex::encode(random)).await
}
