//! Two small jobs for `bench/run`, kept out of the `huzhu` command because no operator needs
//! them:
//!
//! - `bench_helper argon2 [ROUNDS]` prints the seconds one password verification takes here,
//!   with the portal's own Argon2 settings: the shortest of ROUNDS (20 by default), since a
//!   verification is a fixed amount of work and anything longer is time spent waiting for the
//!   core. The sign-in rate is judged against cores ÷ this time.
//! - `bench_helper sessions COUNT ANSWER` prints SQL that inserts COUNT anonymous sessions, each
//!   with a drawn captcha whose answer is ANSWER, then one line per session on standard error:
//!   `<cookie token> <csrf token>`. The sign-in benchmark posts one sign-in per session; making
//!   the sessions straight in the benchmark's own database keeps thousands of captcha images
//!   (not what is measured) out of the run. The SQL is the same on SQLite and PostgreSQL.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use huzhu_web::password;
use huzhu_web::session::{hash_token, new_token};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("argon2") => argon2(args.get(1).map_or(Ok(20), |n| n.parse())?),
        Some("sessions") => {
            let count: usize = args.get(1).map(|n| n.parse()).transpose()?.unwrap_or(0);
            let answer = args.get(2).map(String::as_str).unwrap_or_default();
            sessions(count, answer)
        }
        _ => anyhow::bail!("usage: bench_helper argon2 [ROUNDS] | bench_helper sessions COUNT ANSWER"),
    }
}

fn argon2(rounds: usize) -> anyhow::Result<()> {
    let stored = password::hash_now("Huzhu-demo-2026!")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut times: Vec<f64> = (0..rounds.max(1))
        .map(|_| {
            let started = Instant::now();
            let matched = runtime.block_on(password::verify("Huzhu-demo-2026!".to_owned(), stored.clone()));
            assert!(matches!(matched, Ok(true)), "the demo password verifies");
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!("{:.6}", times[0]);
    Ok(())
}

fn sessions(count: usize, answer: &str) -> anyhow::Result<()> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let until = now + 3 * 3600;
    println!("BEGIN;");
    for _ in 0..count {
        let (token, token_hash) = new_token();
        let (csrf, _) = new_token();
        // As crate::routes::login hashes an answer: the session hash, a colon, the answer in
        // upper case.
        let captcha_hash = hash_token(&format!("{token_hash}:{}", answer.trim().to_ascii_uppercase()));
        println!(
            "INSERT INTO session (token_hash, account_id, csrf_token, captcha_hash, captcha_expires_at, \
             created_at, last_seen_at, expires_at) VALUES ('{token_hash}', NULL, '{csrf}', '{captcha_hash}', \
             {until}, {now}, {now}, {until});"
        );
        eprintln!("{token} {csrf}");
    }
    println!("COMMIT;");
    Ok(())
}
