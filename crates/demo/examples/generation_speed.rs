//! How fast the demo set is generated, without the database:
//! `cargo run --release -p huzhu-demo --example generation_speed [members]`

use std::time::Instant;

use chrono::NaiveDate;
use huzhu_demo::{DemoConfig, person};

fn main() {
    let members = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
    let config = DemoConfig { members, seed: 1, today };
    let started = Instant::now();
    let (mut credits, mut licences) = (0usize, 0usize);
    for index in 0..config.members {
        let p = person(&config, index);
        credits += p.credits.len();
        licences += p.licences.len();
    }
    println!(
        "{} people, {credits} credits, {licences} licences in {:.2} s",
        config.members,
        started.elapsed().as_secs_f64()
    );
}
