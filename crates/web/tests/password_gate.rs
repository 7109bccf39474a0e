//! Password checks run one per core, with at most 16 per core waiting; more are refused at
//! once. A test binary of its own, so no other test's password checks share the gate.

use huzhu_web::password::{self, Busy};

#[tokio::test(flavor = "current_thread")]
async fn beyond_one_running_and_sixteen_waiting_per_core_password_checks_are_refused_at_once() {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    // Hashed outside the gate, so the gate starts empty.
    let stored = password::hash_now("correct horse battery staple").expect("a hash");

    // All started before any can finish (one thread: each runs until its first wait, in
    // order). The first `cores` take a core; the next 16 × cores wait; the last 3 find the
    // queue full. With 2 cores: 2 + 32 + 3 = 37 checks, 34 done, 3 refused.
    let refused_expected = 3;
    let total = cores + 16 * cores + refused_expected;
    let mut checks = tokio::task::JoinSet::new();
    for _ in 0..total {
        checks.spawn(password::verify("correct horse battery staple".to_owned(), stored.clone()));
    }
    let (mut matched, mut refused) = (0, 0);
    while let Some(outcome) = checks.join_next().await {
        match outcome.expect("the task ran") {
            Ok(true) => matched += 1,
            Ok(false) => panic!("the password did not match"),
            Err(error) if error.is::<Busy>() => refused += 1,
            Err(error) => panic!("{error:#}"),
        }
    }
    assert_eq!(refused, refused_expected);
    assert_eq!(matched, total - refused_expected);

    // Once the queue has drained, a check goes through again.
    let again = password::verify("correct horse battery staple".to_owned(), stored).await;
    assert!(again.expect("not refused"));
}
