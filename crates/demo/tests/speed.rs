//! Generation speed. Run in a release build:
//! `cargo test -p huzhu-demo --release --test speed -- --ignored --nocapture`

use std::time::Instant;

use chrono::NaiveDate;
use huzhu_demo::{DemoConfig, person};

#[test]
#[ignore = "a timing run, meaningful only in a release build"]
fn two_hundred_thousand_people() {
    let config =
        DemoConfig { members: 200_000, seed: 1, today: NaiveDate::from_ymd_opt(2026, 12, 4).expect("date") };
    let started = Instant::now();
    let (mut credits, mut licences) = (0usize, 0usize);
    for index in 0..config.members {
        let p = person(&config, index);
        credits += p.credits.len();
        licences += p.licences.len();
    }
    let elapsed = started.elapsed();
    println!(
        "{} people, {credits} credits, {licences} licences in {:.2} s",
        config.members,
        elapsed.as_secs_f64()
    );
    assert!(elapsed.as_secs() < 30);
}
