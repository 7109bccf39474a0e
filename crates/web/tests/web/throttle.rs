//! Throttled password sign-in: a soft pause that tells the member and never shuts her out.

use huzhu_web::Config;

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp};
use crate::smtp::MailServer;

pub(crate) const WRONG: &str = "not her password at all";

fn captcha(n: usize) -> String {
    format!("C{n:04}")
}

pub(crate) async fn spawn(adjust: impl FnOnce(&mut Config) + 'static) -> (TestApp, MailServer) {
    let smtp = MailServer::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(move |config| {
        config.smtp_url = url;
        config.public_url = "http://portal.example.test".to_owned();
        config.mail_poll_seconds = 1;
        adjust(config);
    })
    .await;
    (app, smtp)
}

/// Signs in with the n-th captcha; returns the status and the page (the ID taken out).
pub(crate) async fn attempt(app: &TestApp, id: &str, password: &str, n: usize) -> (u16, String) {
    let response = app.sign_in(id, password, &captcha(n)).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body").replace(id, "<ID>"))
}

/// Waits out the delay the `failures`-th failure set with the default settings:
/// 1 s after the first, doubled with each further one (1, 2, 4, 8, 16, 32, then 60 at most).
pub(crate) fn wait_after(app: &TestApp, failures: u32) {
    app.clock.advance((1_i64 << (failures - 1)).min(60));
}

/// `count` failures on `id`, each after the previous one's delay.
pub(crate) async fn fail_times(app: &TestApp, id: &str, count: u32, first_captcha: usize) -> String {
    let mut page = String::new();
    for n in 1..=count {
        if n > 1 {
            wait_after(app, n - 1);
        }
        let (status, body) = attempt(app, id, WRONG, first_captcha + n as usize - 1).await;
        assert_eq!(status, 200);
        page = body;
    }
    page
}

#[tokio::test]
async fn five_failures_pause_the_password_path_for_fifteen_minutes_with_the_same_answer() {
    let (app, smtp) = spawn(|_| {}).await;
    let wrong_page = fail_times(&app, NURSE_ID, 5, 1).await;
    assert!(wrong_page.contains("身分證字號或密碼不正確"));
    // Locked now (after the fifth failure's 16 s delay): even her right password gets the
    // wrong-password answer.
    wait_after(&app, 5);
    let (status, locked_page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await;
    assert_eq!(status, 200);
    assert_eq!(locked_page, wrong_page);

    // She is told by mail, at her registered address.
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["lin@example.org".to_owned()]);
    assert!(mails[0].text().contains("密碼登入暫停 15 分鐘"));

    // 14 min 59 s after the fifth failure: still paused. An attempt while paused counts for
    // the ID's delay like any failure (so a known ID and an unknown one wait alike): attempt 6
    // was its sixth failure and attempt 7 its seventh, so the next waits 60 s (2^6 = 64, at
    // most 60). 15 min 59 s after the fifth failure the pause is over and she signs in.
    app.clock.advance(15 * 60 - 1 - 16);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 7).await.0, 200);
    app.clock.advance(60);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 8).await.0, 303);
}

#[tokio::test]
async fn four_failures_do_not_pause_and_a_success_starts_the_count_again() {
    let (app, _smtp) = spawn(|_| {}).await;
    fail_times(&app, NURSE_ID, 4, 1).await;
    wait_after(&app, 4);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 5).await.0, 303);
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &crate::helpers::csrf_of(&home))]).await;
    // The success cleared the count: four more failures are again below the threshold.
    fail_times(&app, NURSE_ID, 4, 6).await;
    wait_after(&app, 4);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 10).await.0, 303);
}

#[tokio::test]
async fn failures_older_than_the_pause_are_forgotten() {
    let (app, _smtp) = spawn(|_| {}).await;
    fail_times(&app, NURSE_ID, 4, 1).await;
    // 15 minutes later the four failures no longer count: one more is the first of a new run,
    // which waits 1 s, not the 16 s of a fifth failure, and does not pause the account.
    app.clock.advance(15 * 60);
    attempt(&app, NURSE_ID, WRONG, 5).await;
    wait_after(&app, 1);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await.0, 303);
}

#[tokio::test]
async fn a_paused_nurse_resets_her_password_by_mail_and_signs_in_at_once() {
    let (app, smtp) = spawn(|_| {}).await;
    fail_times(&app, NURSE_ID, 5, 1).await;
    smtp.wait_for(1).await;

    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let csrf = crate::helpers::csrf_of(&page);
    app.post_form(
        "/password/forgot",
        &[("csrf", &csrf), ("id_number", NURSE_ID), ("email", "lin@example.org"), ("captcha", "C0006")],
    )
    .await;
    let mails = smtp.wait_for(2).await;
    let link = mails[1].link("http://portal.example.test").expect("a reset link");
    let path = link.trim_start_matches("http://portal.example.test").to_owned();
    let form = app.get_text(&path).await;
    let token = path.split("token=").nth(1).expect("a token");
    let new_password = "marigold tapestry kettle ferry";
    app.post_form(
        "/password/reset",
        &[
            ("csrf", &crate::helpers::csrf_of(&form)),
            ("token", token),
            ("password", new_password),
            ("password_again", new_password),
        ],
    )
    .await;

    // No waiting either: the new password ended the pause and the fifth failure's 16 s delay.
    assert_eq!(attempt(&app, NURSE_ID, new_password, 7).await.0, 303);
    // The end of the pause is audited, with the ID masked (first three, last two characters).
    let audit = app.store.recent_audit(50).await.expect("the audit log");
    let unlock: Vec<_> = audit.iter().filter(|e| e.event == "unlock").collect();
    assert_eq!(unlock.len(), 1, "{audit:?}");
    assert_eq!((unlock[0].outcome.as_str(), unlock[0].subject.as_deref()), ("reset", Some("F22*****86")));
    assert!(unlock[0].account_id.is_some());
}

#[tokio::test]
async fn many_failures_from_one_address_pause_that_address() {
    // Three failures on three IDs nobody registered, then the nurse from the same address.
    let (app, _smtp) = spawn(|config| config.address_lock_threshold = 3).await;
    let ids: Vec<String> = ["T10000000", "A12345678", "B12345678"]
        .iter()
        .map(|nine| huzhu_core::id::IdNumber::with_check_digit(nine).expect("a valid ID").as_str().to_owned())
        .collect();
    for (n, id) in ids.iter().enumerate() {
        attempt(&app, id, WRONG, n + 1).await;
    }
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 4).await.0, 200);
    app.clock.advance(15 * 60);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 5).await.0, 303);
}

async fn forgot(app: &TestApp, n: usize) -> u16 {
    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let csrf = crate::helpers::csrf_of(&page);
    let answer = app
        .post_form(
            "/password/forgot",
            &[("csrf", &csrf), ("id_number", NURSE_ID), ("email", "x@example.org"), ("captcha", &captcha(n))],
        )
        .await;
    answer.status().as_u16()
}

/// Sends the reset form with a captcha that was never drawn.
async fn forgot_wrong_captcha(app: &TestApp) -> u16 {
    let page = app.get_text("/password/forgot").await;
    let csrf = crate::helpers::csrf_of(&page);
    let form =
        [("csrf", csrf.as_str()), ("id_number", NURSE_ID), ("email", "x@example.org"), ("captcha", "WRONG")];
    app.post_form("/password/forgot", &form).await.status().as_u16()
}

/// The audit rows with the outcome `rate_limited` among the newest 100.
async fn refusals_audited(app: &TestApp) -> usize {
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    audit.iter().filter(|row| row.outcome == "rate_limited").count()
}

#[tokio::test]
async fn reset_requests_from_one_address_are_limited_per_hour() {
    let (app, _smtp) = spawn(|config| config.form_rate_limit = 3).await;
    // A stranger at the same address sends ten posts with a wrong captcha: more than the
    // allowance of 3, yet none of them counts, so the nurse still has all three.
    for _ in 0..10 {
        assert_eq!(forgot_wrong_captcha(&app).await, 200);
    }
    for n in 1..=3 {
        assert_eq!(forgot(&app, n).await, 200);
    }
    // The fourth within the hour is refused, calmly, and so are all after it.
    let page = app.get_text("/password/forgot").await;
    let answer = app
        .post_form("/password/forgot", &[("csrf", &crate::helpers::csrf_of(&page)), ("id_number", NURSE_ID)])
        .await;
    assert_eq!(answer.status(), 429);
    assert!(answer.text().await.expect("a body").contains("請稍後再試"));
    // The refusal is audited, with no ID (the form is not read once the limit is reached).
    let audit = app.store.recent_audit(1).await.expect("the audit log");
    let refused = &audit[0];
    assert_eq!((refused.event.as_str(), refused.outcome.as_str()), ("reset_requested", "rate_limited"));
    assert_eq!((refused.account_id, refused.subject.as_deref()), (None, None));
    // Five more refusals (4 to 8) add no row: one per address and hour, so a flood cannot
    // grow the log.
    for n in 4..=8 {
        assert_eq!(forgot(&app, n).await, 429);
    }
    assert_eq!(refusals_audited(&app).await, 1);
    // An hour later the address may ask again.
    app.clock.advance(3600);
    assert_eq!(forgot(&app, 9).await, 200);
}

#[tokio::test]
async fn captcha_images_from_one_address_are_limited_per_hour() {
    let (app, _smtp) = spawn(|config| config.captcha_rate_limit = 2).await;
    assert_eq!(app.get("/captcha").await.status(), 200);
    assert_eq!(app.get("/captcha").await.status(), 200);
    assert_eq!(app.get("/captcha").await.status(), 429);
}

/// The address the audit log recorded for the newest event.
async fn last_address(app: &TestApp) -> String {
    let page = app.get_text("/member/account").await;
    let start = page.find("<td>2026").expect("a sign-in row");
    page[start..].split("</td><td>").nth(2).expect("the address cell").to_owned()
}

async fn sign_in_with_forwarded(app: &TestApp, forwarded: &str) {
    let page = app.get_text("/login").await;
    app.get("/captcha").await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("csrf", crate::helpers::csrf_of(&page).as_str()),
            ("id_number", NURSE_ID),
            ("password", NURSE_PASSWORD),
            ("captcha", "C0001"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_proxy_is_trusted() {
    // 203.0.113.9 is a documentation address, only ever written in a header here.
    let (app, _smtp) = spawn(|_| {}).await;
    sign_in_with_forwarded(&app, "203.0.113.9").await;
    assert_eq!(last_address(&app).await, "127.0.0.1");

    let (app, _smtp) =
        spawn(|config| config.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")]).await;
    // The client may prepend anything; the proxy appends the address it saw, which is used.
    sign_in_with_forwarded(&app, "198.51.100.1, 203.0.113.9").await;
    assert_eq!(last_address(&app).await, "203.0.113.9");
}

#[test]
fn the_wait_doubles_with_each_failure_up_to_its_limit() {
    use huzhu_web::throttle::delay_seconds;
    // An ID number: 1 s after the first failure, doubled each time, at most 60 s.
    let by_id: Vec<i64> = (0..=8).map(|n| delay_seconds(n, 1, 1, 60)).collect();
    // 0 failures: no wait; then 1, 2, 4, 8, 16, 32; 2^6 = 64 and 2^7 = 128 are capped at 60.
    assert_eq!(by_id, vec![0, 1, 2, 4, 8, 16, 32, 60, 60]);
    // A client address starts to wait at its 10th failure: 9 → 0, 10 → 1, 11 → 2, 12 → 4.
    let by_address: Vec<i64> = (9..=12).map(|n| delay_seconds(n, 10, 1, 60)).collect();
    assert_eq!(by_address, vec![0, 1, 2, 4]);
    // A huge count neither overflows nor passes the limit; a base of 0 turns waits off.
    assert_eq!(delay_seconds(i64::MAX, 1, 1, 60), 60);
    assert_eq!(delay_seconds(3, 1, 0, 60), 0);
}

#[tokio::test]
async fn an_attempt_before_the_wait_is_over_is_refused_at_once_and_does_not_count() {
    let (app, _smtp) = spawn(|_| {}).await;
    attempt(&app, NURSE_ID, WRONG, 1).await;

    // The first failure set a 1 s wait. Ten attempts within it, even with her right password:
    // each told to wait, none running Argon2, none counted as a failure.
    let before = app.argon2_count();
    for n in 2..=11 {
        let (status, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, n).await;
        assert_eq!(status, 200);
        assert!(page.contains("登入嘗試過於頻繁，請於 1 秒後再試。"), "{page}");
    }
    assert_eq!(app.argon2_count(), before);

    // After 1 s a second failure (the second, not the twelfth: the early ones did not count,
    // else the fifth would have paused the account) sets a 2 s wait.
    app.clock.advance(1);
    attempt(&app, NURSE_ID, WRONG, 12).await;
    assert!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 13).await.1.contains("請於 2 秒後再試"));
    app.clock.advance(1);
    assert!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 14).await.1.contains("請於 1 秒後再試"));
    app.clock.advance(1);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 15).await.0, 303);
}

#[tokio::test]
async fn an_unknown_id_waits_exactly_as_long_as_a_registered_one() {
    let (app, _smtp) = spawn(|config| config.address_delay_after = 1000).await;
    // T100000007 is a valid ID nobody registered (DOMAIN §3.3).
    let unknown = "T100000007";
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    // Seven rounds: a failure on each ID, then an early attempt on each. The registered one
    // is paused from her fifth failure on, which must not show.
    for round in 1..=7_u32 {
        let known_failed = attempt(&app, NURSE_ID, WRONG, next()).await;
        let unknown_failed = attempt(&app, unknown, WRONG, next()).await;
        assert_eq!(known_failed, unknown_failed, "round {round}");
        let known_early = attempt(&app, NURSE_ID, WRONG, next()).await;
        let unknown_early = attempt(&app, unknown, WRONG, next()).await;
        assert_eq!(known_early, unknown_early, "round {round}");
        // The wait after the r-th failure: 2^(r-1) s, at most 60 (round 7: 64 → 60).
        let wait = (1_i64 << (round - 1)).min(60);
        assert!(known_early.1.contains(&format!("請於 {wait} 秒後再試")), "round {round}");
        app.clock.advance(wait);
    }
}

#[tokio::test]
async fn failures_from_one_address_make_every_sign_in_from_it_wait() {
    // From its third failure, the address waits 1 s (then 2, 4 …), whatever the ID.
    let (mut app, _smtp) = spawn(|config| config.address_delay_after = 3).await;
    let ids: Vec<String> = ["T10000000", "A12345678", "B12345678"]
        .iter()
        .map(|nine| huzhu_core::id::IdNumber::with_check_digit(nine).expect("a valid ID").as_str().to_owned())
        .collect();
    for (n, id) in ids.iter().take(2).enumerate() {
        attempt(&app, id, WRONG, n + 1).await;
    }
    // Two failures: the nurse from the same address is not held up.
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 3).await.0, 303);
    let home = app.get_text("/member").await;
    app.post_form("/logout", &[("csrf", &crate::helpers::csrf_of(&home))]).await;
    // Another browser at the same address: hers now holds a device cookie, which would lift
    // the wait (crate::device_cookies).
    app.client = crate::helpers::new_browser();

    attempt(&app, &ids[2], WRONG, 4).await;
    let (status, page) = attempt(&app, NURSE_ID, NURSE_PASSWORD, 5).await;
    assert_eq!(status, 200);
    assert!(page.contains("請於 1 秒後再試"));
    app.clock.advance(1);
    assert_eq!(attempt(&app, NURSE_ID, NURSE_PASSWORD, 6).await.0, 303);
}

#[tokio::test]
async fn rows_of_failures_quiet_for_two_days_are_purged_and_running_waits_are_kept() {
    let (app, _smtp) = spawn(|_| {}).await;
    attempt(&app, NURSE_ID, WRONG, 1).await;
    // Six rows, all written at START: the ID number's, the account's and the address's
    // failure, the address's count of attempts being checked (back to 0), and the address's and
    // the session's counts of captcha images (the same table).
    let now = crate::helpers::START;
    // Cut-off at START: nothing failed before it, so nothing goes.
    assert_eq!(app.store.purge_sign_in_throttle(now, now).await.expect("a purge"), 0);
    // Cut-off after START, still at START: the account's, the address's, the attempts-being-
    // checked and the two captcha counts' rows hold no lock and no wait (the address waits only
    // from its 10th failure), so those five go; the ID's row has its 1 s wait running until
    // START + 1, so it stays.
    assert_eq!(app.store.purge_sign_in_throttle(now + 1, now).await.expect("a purge"), 5);
    // A second later its wait is over too: it goes.
    assert_eq!(app.store.purge_sign_in_throttle(now + 1, now + 1).await.expect("a purge"), 1);
}

#[tokio::test]
async fn the_lock_mail_says_the_configured_pause() {
    // 20 minutes, not the default 15.
    let (app, smtp) = spawn(|config| config.lock_minutes = 20).await;
    fail_times(&app, NURSE_ID, 5, 1).await;
    let mails = smtp.wait_for(1).await;
    assert!(mails[0].text().contains("密碼登入暫停 20 分鐘"), "{}", mails[0].text());
}

#[tokio::test]
async fn registrations_refused_for_their_rate_are_audited_without_an_id() {
    let (app, _smtp) = spawn(|config| config.form_rate_limit = 2).await;
    let page = app.get_text("/register").await;
    let csrf = crate::helpers::csrf_of(&page);
    let post = |typed: &'static str| {
        let csrf = csrf.clone();
        let app = &app;
        async move {
            let form = [("csrf", csrf.as_str()), ("id_number", NURSE_ID), ("captcha", typed)];
            app.post_form("/register", &form).await.status().as_u16()
        }
    };
    // Five sends with a wrong captcha: answered with the form's errors, counted by nothing.
    for _ in 0..5 {
        assert_eq!(post("WRONG").await, 200);
    }
    // Two sends whose captcha passed (C0001, C0002: the first two drawn) are within the
    // allowance of 2, though the rest of the form is wrong; the third is refused.
    for (typed, expected) in [("C0001", 200), ("C0002", 200), ("C0003", 429), ("C0004", 429)] {
        assert_eq!(app.get("/captcha").await.status(), 200);
        assert_eq!(post(typed).await, expected, "captcha {typed}");
    }
    let audit = app.store.recent_audit(1).await.expect("the audit log");
    let refused = &audit[0];
    assert_eq!((refused.event.as_str(), refused.outcome.as_str()), ("register", "rate_limited"));
    assert_eq!((refused.account_id, refused.subject.as_deref()), (None, None));
    // Two refusals, one audit row.
    assert_eq!(refusals_audited(&app).await, 1);
}

#[tokio::test]
async fn the_pause_mail_goes_at_most_once_in_six_hours() {
    // The address's own wait and pause kept out of the way: only the account's pause counts here.
    let (app, smtp) = spawn(|config| {
        config.address_delay_after = 1000;
        config.address_lock_threshold = 1000;
    })
    .await;
    // The first pause (fifth failure, at 1 + 2 + 4 + 8 = 15 s) is mailed.
    fail_times(&app, NURSE_ID, 5, 1).await;
    assert!(smtp.wait_for(1).await[0].text().contains("密碼登入暫停 15 分鐘"));
    // Past the pause and the fifth failure's 16 s wait, the stranger pauses her again
    // (captchas 6 to 10): a second pause, and no second mail.
    app.clock.advance(15 * 60 + 16);
    fail_times(&app, NURSE_ID, 5, 6).await;
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    assert_eq!(
        audit.iter().filter(|e| (e.event.as_str(), e.outcome.as_str()) == ("lock", "account")).count(),
        2
    );
    // The next mail to reach her is the reset link she asks for (captcha 11), not a notice.
    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let form = [
        ("csrf", crate::helpers::csrf_of(&page)),
        ("id_number", NURSE_ID.to_owned()),
        ("email", "lin@example.org".to_owned()),
        ("captcha", captcha(11)),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post_form("/password/forgot", &form).await.status(), 200);
    let mails = smtp.wait_for(2).await;
    assert!(!mails[1].text().contains("密碼登入暫停"), "{}", mails[1].text());
    assert!(mails[1].text().contains("/password/reset?token="), "{}", mails[1].text());
    // Six hours after the first notice (15 s + 21 600 s; the clock is already past 15 s), a
    // third pause (captchas 12 to 16) is mailed again.
    app.clock.advance(6 * 3600);
    fail_times(&app, NURSE_ID, 5, 12).await;
    let mails = smtp.wait_for(3).await;
    assert!(mails[2].text().contains("密碼登入暫停 15 分鐘"), "{}", mails[2].text());
}
