//! 註冊社群 and 忘記密碼 over HTTP, with mail delivered to a real SMTP server on 127.0.0.1.

use chrono::NaiveDate;
use huzhu_core::id::IdNumber;
use huzhu_web::Config;

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp, csrf_of, hand_made_nurse};
use crate::smtp::{MailServer, closed_port};

/// The address in links: from configuration, so a forged Host header cannot redirect them.
const PUBLIC_URL: &str = "http://portal.example.test";
const NEW_PASSWORD: &str = "marigold tapestry kettle ferry";

fn with_mail(smtp_url: String) -> impl FnOnce(&mut Config) {
    move |config| {
        config.smtp_url = smtp_url;
        config.public_url = PUBLIC_URL.to_owned();
        config.mail_poll_seconds = 1;
    }
}

async fn spawn_with_mail() -> (TestApp, MailServer) {
    let smtp = MailServer::start();
    let app = TestApp::spawn_with(with_mail(smtp.url())).await;
    (app, smtp)
}

/// The path and query of a mailed link, to follow it on the test server.
pub(crate) fn local_path(link: &str) -> String {
    link.strip_prefix(PUBLIC_URL).expect("the link uses the configured address").to_owned()
}

async fn ask_for_reset(app: &TestApp, id: &str, email: &str, captcha: &str) -> reqwest::Response {
    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let csrf = csrf_of(&page);
    app.post_form(
        "/password/forgot",
        &[("csrf", &csrf), ("id_number", id), ("email", email), ("captcha", captcha)],
    )
    .await
}

async fn set_new_password(app: &TestApp, path: &str, password: &str) -> reqwest::Response {
    let page = app.get_text(path).await;
    let csrf = csrf_of(&page);
    let token = path.split("token=").nth(1).expect("a token in the link");
    app.post_form(
        "/password/reset",
        &[("csrf", &csrf), ("token", token), ("password", password), ("password_again", password)],
    )
    .await
}

#[tokio::test]
async fn a_nurse_resets_her_forgotten_password_through_the_mailed_link() {
    let (app, smtp) = spawn_with_mail().await;

    let answer = ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.expect("a body").contains("重設密碼的連結已寄到該電子郵件信箱"));

    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["lin@example.org".to_owned()]);
    let link = mails[0].link(PUBLIC_URL).expect("the mail carries a link");
    assert!(link.starts_with("http://portal.example.test/password/reset?token="), "{link}");
    // 256 random bits in URL-safe base64 without padding: ceil(256 / 6) = 43 characters.
    assert_eq!(link.split("token=").nth(1).expect("a token").len(), 43);
    assert!(mails[0].html().contains(&link), "the HTML part has the same link");

    let done = set_new_password(&app, &local_path(&link), NEW_PASSWORD).await;
    assert_eq!(done.status(), 200);
    assert!(done.text().await.expect("a body").contains("密碼已重設"));

    // A notice that the password changed goes to her address.
    let mails = smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1].text().contains("密碼剛剛已變更"));

    // The old password no longer works and the new one does (captchas C0002 and C0003), once
    // the 1 s wait after that failure is over.
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(), 200);
    app.clock.advance(1);
    assert_eq!(app.sign_in(NURSE_ID, NEW_PASSWORD, "C0003").await.status(), 303);
}

#[tokio::test]
async fn a_reset_link_works_once() {
    let (app, smtp) = spawn_with_mail().await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    let link = smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a link");
    let path = local_path(&link);
    assert!(
        set_new_password(&app, &path, NEW_PASSWORD)
            .await
            .text()
            .await
            .expect("a body")
            .contains("密碼已重設")
    );

    let again = app.get_text(&path).await;
    assert!(again.contains("此連結無效、已使用過或已逾時"));
    assert!(!again.contains("name=\"password\""), "no form behind a used link");
}

#[tokio::test]
async fn a_reset_link_expires_after_thirty_minutes() {
    let (app, smtp) = spawn_with_mail().await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    let path = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a link"));

    // 29 min 59 s after the request the link still opens the form; at 30 min it does not.
    app.clock.advance(30 * 60 - 1);
    assert!(app.get_text(&path).await.contains("name=\"password\""));
    app.clock.advance(1);
    let page = app.get_text(&path).await;
    assert!(page.contains("此連結無效、已使用過或已逾時"));
    // Posting the form kept open from before is refused too.
    let csrf = csrf_of(&app.get_text("/password/forgot").await);
    let token = path.split("token=").nth(1).expect("a token");
    let posted = app
        .post_form(
            "/password/reset",
            &[
                ("csrf", &csrf),
                ("token", token),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert!(posted.text().await.expect("a body").contains("此連結無效"));
    assert_eq!(
        app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(),
        303,
        "the password is unchanged"
    );
}

#[tokio::test]
async fn a_newer_reset_request_supersedes_the_older_link() {
    let (app, smtp) = spawn_with_mail().await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0002").await;
    let mails = smtp.wait_for(2).await;
    let first = local_path(&mails[0].link(PUBLIC_URL).expect("a link"));
    let second = local_path(&mails[1].link(PUBLIC_URL).expect("a link"));
    assert_ne!(first, second);

    assert!(app.get_text(&first).await.contains("此連結無效"));
    // Posting with the older link's token is refused as well.
    let csrf = csrf_of(&app.get_text("/password/forgot").await);
    let old_token = first.split("token=").nth(1).expect("a token");
    let form = [
        ("csrf", csrf.as_str()),
        ("token", old_token),
        ("password", NEW_PASSWORD),
        ("password_again", NEW_PASSWORD),
    ];
    let refused = app.post_form("/password/reset", &form).await;
    assert!(refused.text().await.expect("a body").contains("此連結無效"));
    let done = set_new_password(&app, &second, NEW_PASSWORD).await;
    assert!(done.text().await.expect("a body").contains("密碼已重設"));
}

#[tokio::test]
async fn a_reset_link_is_refused_once_the_password_changed_another_way() {
    let (app, smtp) = spawn_with_mail().await;
    // Two links would supersede each other, so the other change is made directly in the store,
    // as the change-password page and any later path do: through `set_password`.
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    let path = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a link"));
    let login = app.store.find_login(NURSE_ID).await.expect("a lookup").expect("her account");
    let hash = huzhu_web::password::hash("another long passphrase here".to_owned()).await.expect("a hash");
    app.store.set_password(login.account_id, &hash, 1, crate::helpers::START, None).await.expect("a change");

    assert!(app.get_text(&path).await.contains("此連結無效"));
}

#[tokio::test]
async fn a_weak_new_password_is_refused_next_to_the_field_and_the_link_still_works() {
    let (app, smtp) = spawn_with_mail().await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    let path = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a link"));

    let weak = set_new_password(&app, &path, "password1234").await;
    let page = weak.text().await.expect("a body");
    assert!(page.contains("這個密碼太常見或太容易猜到"), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    // Her birth date 1990-04-05 in a password.
    let dated = set_new_password(&app, &path, "violet lamp 19900405 ok").await;
    assert!(dated.text().await.expect("a body").contains("密碼不可包含您的出生日期"));

    let done = set_new_password(&app, &path, NEW_PASSWORD).await;
    assert!(done.text().await.expect("a body").contains("密碼已重設"));
}

#[tokio::test]
async fn a_reset_ends_every_session_of_the_account() {
    let (app, smtp) = spawn_with_mail().await;
    // A session signed in elsewhere, in a client of its own.
    let other = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let page = other.get(app.url("/login")).send().await.expect("a page").text().await.expect("a body");
    other.get(app.url("/captcha")).send().await.expect("a captcha");
    let form = [
        ("csrf", csrf_of(&page)),
        ("id_number", NURSE_ID.to_owned()),
        ("password", NURSE_PASSWORD.to_owned()),
        ("captcha", "C0001".to_owned()),
    ];
    let signed_in = other.post(app.url("/login")).form(&form).send().await.expect("a sign-in");
    assert_eq!(signed_in.status(), 303);
    assert_eq!(other.get(app.url("/member")).send().await.expect("home").status(), 200);

    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0002").await;
    let path = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a link"));
    set_new_password(&app, &path, NEW_PASSWORD).await;

    assert_eq!(other.get(app.url("/member")).send().await.expect("home").status(), 303);
}

/// The answer to a reset request, with what was typed taken out, and the Argon2 runs it made.
async fn reset_answer(app: &TestApp, id: &str, email: &str, captcha: &str) -> (u16, String, u64) {
    let before = app.argon2_count();
    let response = ask_for_reset(app, id, email, captcha).await;
    let status = response.status().as_u16();
    let body = response.text().await.expect("a body").replace(id, "<ID>").replace(email, "<EMAIL>");
    (status, without_csrf(&body), app.argon2_count() - before)
}

/// A page without its CSRF token (same session, but kept out for robustness of the comparison).
fn without_csrf(page: &str) -> String {
    match csrf_of_or_empty(page) {
        csrf if csrf.is_empty() => page.to_owned(),
        csrf => page.replace(&csrf, "<CSRF>"),
    }
}

fn csrf_of_or_empty(page: &str) -> String {
    if page.contains("name=\"csrf\" value=\"") { csrf_of(page) } else { String::new() }
}

#[tokio::test]
async fn a_reset_request_answers_the_same_for_known_and_unknown_ids_and_addresses() {
    let (app, smtp) = spawn_with_mail().await;
    let known = reset_answer(&app, NURSE_ID, "lin@example.org", "C0001").await;
    // T100000007 is valid (DOMAIN §3.3) and has no account.
    let unknown = reset_answer(&app, "T100000007", "lin@example.org", "C0002").await;
    let wrong_address = reset_answer(&app, NURSE_ID, "someone@example.org", "C0003").await;
    assert_eq!(known, unknown);
    assert_eq!(known, wrong_address);
    // The same timing class: no request hashes anything (the link is random, stored as
    // SHA-256), so none runs Argon2. A match writes two small rows (the link, the outbox
    // mail) that a miss does not: README, "Known shortcomings".
    assert_eq!(known.2, 0);
    // Only the matching request sent a mail.
    let mails = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1, "{mails:?}");
}

#[tokio::test]
async fn a_line_break_in_the_email_field_is_refused_so_no_header_can_be_injected() {
    let (app, smtp) = spawn_with_mail().await;
    let answer = ask_for_reset(&app, NURSE_ID, "lin@example.org\r\nBcc: thief@example.org", "C0001").await;
    let page = answer.text().await.expect("a body");
    assert!(page.contains("電子郵件格式不正確"));
    assert!(page.contains("value=\"F223456786\""), "the typed ID is kept");
    assert_eq!(app.store.unsent_mail_count().await.expect("a count"), 0);
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn the_link_host_comes_from_configuration_not_from_the_host_header() {
    let (app, smtp) = spawn_with_mail().await;
    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let form = [
        ("csrf", csrf_of(&page)),
        ("id_number", NURSE_ID.to_owned()),
        ("email", "lin@example.org".to_owned()),
        ("captcha", "C0001".to_owned()),
    ];
    let response = app
        .client
        .post(app.url("/password/forgot"))
        .header("host", "attacker.example")
        .form(&form)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    let mail = &smtp.wait_for(1).await[0];
    assert!(!mail.raw.contains("attacker.example"));
    assert!(mail.link(PUBLIC_URL).is_some());
}

#[tokio::test]
async fn with_the_relay_down_the_request_answers_and_the_mail_goes_out_when_it_returns() {
    let port = closed_port();
    let app = TestApp::spawn_with(with_mail(format!("smtp://127.0.0.1:{port}"))).await;
    let answer = ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.expect("a body").contains("重設密碼的連結已寄到"));
    // The sender tries at once, fails, and keeps the mail.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.store.unsent_mail_count().await.expect("a count"), 1);

    let smtp = MailServer::start_on(port);
    // The first retry waits mail_retry_seconds (60) after the failure.
    app.clock.advance(61);
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].link(PUBLIC_URL).is_some());
    assert_eq!(app.unsent_mail_after_delivery().await, 0);
}

// ---- 註冊社群 ----

/// A registered midwife with no account: 陳雅婷, born 1988-11-23, certificate H.
pub(crate) fn unregistered_midwife() -> huzhu_core::registry::Person {
    let mut person = hand_made_nurse();
    person.id_number = IdNumber::with_check_digit("B22222222").expect("a valid ID");
    person.name = "陳雅婷".to_owned();
    person.birth_date = NaiveDate::from_ymd_opt(1988, 11, 23).expect("a date");
    person.email = "chen@example.org".to_owned();
    for certificate in &mut person.certificates {
        certificate.profession = huzhu_core::profession::Profession::Midwife;
        certificate.number = "衛部助字第000009號".to_owned();
    }
    for licence in &mut person.licences {
        licence.profession = huzhu_core::profession::Profession::Midwife;
        licence.certificate_number = "衛部助字第000009號".to_owned();
        licence.number = "北市助執字第0000009號".to_owned();
    }
    person
}

pub(crate) async fn add_person(app: &TestApp, person: huzhu_core::registry::Person) -> String {
    let keys = app.store.next_keys().await.expect("keys");
    let id = person.id_number.as_str().to_owned();
    app.store.insert_people(&[person], keys).await.expect("the person loads");
    id
}

pub(crate) async fn register(app: &TestApp, fields: [&str; 5], captcha: &str) -> reqwest::Response {
    let page = app.get_text("/register").await;
    app.get("/captcha").await;
    let [id, name, birth, email, password] = fields;
    app.post_form(
        "/register",
        &[
            ("csrf", &csrf_of(&page)),
            ("id_number", id),
            ("name", name),
            ("birth_date", birth),
            ("email", email),
            ("password", password),
            ("password_again", password),
            ("captcha", captcha),
        ],
    )
    .await
}

#[tokio::test]
async fn a_midwife_registers_verifies_her_address_and_signs_in() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;

    let answer =
        register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.expect("a body").contains("驗證信已寄到您填寫的電子郵件信箱"));

    // Not usable before the address is verified (captcha C0002). That counts as a failure:
    // the next attempt waits 1 s.
    assert_eq!(app.sign_in(&id, NEW_PASSWORD, "C0002").await.status(), 200);
    app.clock.advance(1);

    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(mail.to, vec!["chen@example.org".to_owned()]);
    let path = local_path(&mail.link(PUBLIC_URL).expect("a verification link"));
    assert!(path.starts_with("/register/verify?token="));

    // Opening the link does not verify by itself (mail scanners open links): it asks for the
    // password chosen at registration, and that verifies.
    let page = app.get_text(&path).await;
    assert!(page.contains("註冊時設定的密碼"), "{page}");
    assert!(page.contains("name=\"password\""));
    assert!(page.contains("autocomplete=\"current-password\""));
    let token = path.split("token=").nth(1).expect("a token");
    let csrf = csrf_of(&page);
    let form = [("csrf", csrf.as_str()), ("token", token), ("password", NEW_PASSWORD)];
    let verified = app.post_form("/register/verify", &form).await;
    assert!(verified.text().await.expect("a body").contains("電子郵件已驗證"));

    assert_eq!(app.sign_in(&id, NEW_PASSWORD, "C0003").await.status(), 303);
    // The link is used up.
    assert!(app.get_text(&path).await.contains("此連結無效"));
}

/// Opens a verification link and sends its form with `password` (from a form kept open when
/// the link no longer opens one); returns the answer's text.
pub(crate) async fn press_verify(app: &TestApp, path: &str, password: &str) -> String {
    let page = app.get_text(path).await;
    let csrf =
        if page.contains("name=\"csrf\"") { csrf_of(&page) } else { csrf_of(&app.get_text("/login").await) };
    let token = path.split("token=").nth(1).expect("a token");
    let form = [("csrf", csrf.as_str()), ("token", token), ("password", password)];
    app.post_form("/register/verify", &form).await.text().await.expect("a body")
}

#[tokio::test]
async fn a_verification_link_expires_after_twenty_four_hours() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    let path = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a verification link"));

    // verify_link_hours = 24: at 23 h 59 min 59 s the link still opens its page, with the
    // password form; at 24 h = 86,400 s neither the page nor the form takes it, even with the
    // right password.
    app.clock.advance(24 * 3600 - 1);
    let page = app.get_text(&path).await;
    assert!(page.contains("註冊時設定的密碼"), "{page}");
    app.clock.advance(1);
    assert!(app.get_text(&path).await.contains("此連結無效"));
    assert!(press_verify(&app, &path, NEW_PASSWORD).await.contains("此連結無效"));
    // The account was never verified: it cannot sign in.
    assert_eq!(app.sign_in(&id, NEW_PASSWORD, "C0002").await.status(), 200);
}

#[tokio::test]
async fn registering_again_with_the_same_address_mails_a_fresh_link_that_supersedes_the_earlier() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    // The same address, typed with other capitals: still hers, so a fresh link is sent.
    register(&app, [&id, "陳雅婷", "1988-11-23", "Chen@example.org", NEW_PASSWORD], "C0002").await;
    let mails = smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    let first = local_path(&mails[0].link(PUBLIC_URL).expect("a link"));
    let second = local_path(&mails[1].link(PUBLIC_URL).expect("a link"));
    assert_ne!(first, second);

    assert!(press_verify(&app, &first, NEW_PASSWORD).await.contains("此連結無效"));
    assert!(press_verify(&app, &second, NEW_PASSWORD).await.contains("電子郵件已驗證"));
    assert_eq!(app.sign_in(&id, NEW_PASSWORD, "C0003").await.status(), 303);
}

/// Every mail received so far, once `count` have come and a moment has passed for any extra one.
async fn all_mails(smtp: &MailServer, count: usize) -> Vec<crate::smtp::Received> {
    smtp.wait_for(count).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    smtp.received()
}

/// The audit records of registrations, oldest first, as "outcome subject".
async fn register_audit(app: &TestApp) -> Vec<String> {
    let mut entries = app.store.recent_audit(50).await.expect("the audit log");
    entries.reverse();
    entries
        .into_iter()
        .filter(|e| e.event == "register")
        .map(|e| format!("{} {}", e.outcome, e.subject.unwrap_or_default()))
        .collect()
}

/// The password someone else chose when registering with her details.
const THIEF_PASSWORD: &str = "quartz lantern orchard violin";

#[tokio::test]
async fn a_pending_registration_is_not_replaced_by_one_with_another_address() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    let hers =
        register_answer(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    // Someone who knows her ID, name and birth date, with another address, twice.
    let theirs = [&id, "陳雅婷", "1988-11-23", "thief@example.org", THIEF_PASSWORD];
    let conflict = register_answer(&app, theirs, "C0002").await;
    let again = register_answer(&app, theirs, "C0003").await;
    // The visitor cannot tell: same status, page and one Argon2 run each.
    assert_eq!(hers, conflict);
    assert_eq!(hers, again);
    assert_eq!(conflict.2, 1);
    // The page says what a nurse who mistyped her address can do, for everyone alike, with the
    // link's lifetime (verify_link_hours, 24 by default).
    assert!(
        conflict.1.contains("若您填錯了電子郵件信箱，請等上一封驗證信的連結失效（24 小時）後"),
        "{}",
        conflict.1
    );

    // Three mails would be wrong: her link, and one warning to her (the second attempt within
    // the hour sends none, WARNING_PERIOD_SECONDS = 3600); nothing to the other address.
    let mails = all_mails(&smtp, 2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|m| m.to == vec!["chen@example.org".to_owned()]));
    let warning = mails.iter().find(|m| m.link(PUBLIC_URL).is_none()).expect("the warning");
    assert!(warning.text().contains("先前寄給您的驗證連結仍然有效"), "{}", warning.text());

    // Her link still works, and her password is the one that signs in.
    let link = mails.iter().find_map(|m| m.link(PUBLIC_URL)).expect("her link");
    assert!(press_verify(&app, &local_path(&link), NEW_PASSWORD).await.contains("電子郵件已驗證"));
    assert_eq!(app.sign_in(&id, THIEF_PASSWORD, "C0004").await.status(), 200);
    app.clock.advance(1);
    assert_eq!(app.sign_in(&id, NEW_PASSWORD, "C0005").await.status(), 303);

    // B22222222 with its check digit: B = 11, so 1×1 + 1×9 + 2×(8+7+6+5+4+3+2+1) = 82, and
    // the digit is (10 − 82 mod 10) mod 10 = 8: B222222228, masked as its first three and last
    // two characters.
    assert_eq!(id, "B222222228");
    assert_eq!(
        register_audit(&app).await,
        ["mailed B22*****28", "pending_kept B22*****28", "pending_kept B22*****28"]
    );
}

#[tokio::test]
async fn once_the_pending_link_expired_a_new_registration_takes_over_and_the_earlier_address_is_told() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    let first = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("her link"));
    // verify_link_hours = 24: at 86,400 s the link is dead.
    app.clock.advance(24 * 3600);
    register(&app, [&id, "陳雅婷", "1988-11-23", "new@example.org", THIEF_PASSWORD], "C0002").await;

    let mails = all_mails(&smtp, 3).await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    let notice = mails.iter().find(|m| m.to[0] == "chen@example.org" && m.link(PUBLIC_URL).is_none());
    let notice = notice.expect("a notice to the earlier address");
    assert!(notice.text().contains("驗證連結已逾時"), "{}", notice.text());
    let newer = mails.iter().find(|m| m.to[0] == "new@example.org").expect("the new link");
    let newer = local_path(&newer.link(PUBLIC_URL).expect("a link"));

    assert!(press_verify(&app, &first, NEW_PASSWORD).await.contains("此連結無效"));
    assert!(press_verify(&app, &newer, THIEF_PASSWORD).await.contains("電子郵件已驗證"));
    assert_eq!(app.sign_in(&id, THIEF_PASSWORD, "C0003").await.status(), 303);
    assert_eq!(register_audit(&app).await, ["mailed B22*****28", "pending_replaced B22*****28"]);
}

#[tokio::test]
async fn the_birth_date_may_be_typed_in_the_roc_calendar() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    // 1988 − 1911 = 民國77年.
    register(&app, [&id, "陳雅婷", "77/11/23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    assert_eq!(smtp.wait_for(1).await.len(), 1);
}

/// The answer to a registration, with the typed ID taken out, and the Argon2 runs it made.
async fn register_answer(app: &TestApp, fields: [&str; 5], captcha: &str) -> (u16, String, u64) {
    let before = app.argon2_count();
    let response = register(app, fields, captcha).await;
    let status = response.status().as_u16();
    let body = response.text().await.expect("a body").replace(fields[0], "<ID>");
    (status, without_csrf(&body), app.argon2_count() - before)
}

#[tokio::test]
async fn registration_answers_alike_for_a_member_a_stranger_and_wrong_details() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    let email = "new@example.org";
    let fresh = register_answer(&app, [&id, "陳雅婷", "1988-11-23", email, NEW_PASSWORD], "C0001").await;
    let member =
        register_answer(&app, [NURSE_ID, "林𠀋華", "1990-04-05", email, NEW_PASSWORD], "C0002").await;
    let stranger =
        register_answer(&app, ["T100000007", "王小明", "1990-01-01", email, NEW_PASSWORD], "C0003").await;
    let wrong_birth =
        register_answer(&app, [&id, "陳雅婷", "1988-11-24", email, NEW_PASSWORD], "C0004").await;
    assert_eq!(fresh, member);
    assert_eq!(fresh, stranger);
    assert_eq!(fresh, wrong_birth);
    // The same timing class: each hashes the typed password once (Argon2id), match or not.
    assert_eq!(fresh.2, 1);

    // Two mails: the verification to the new address, and a warning to the member's address on
    // record (never to the address typed by whoever tried her ID).
    let mails = smtp.wait_for(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mails = if smtp.received().len() > mails.len() { smtp.received() } else { mails };
    assert_eq!(mails.len(), 2);
    let to: Vec<&str> = mails.iter().map(|m| m.to[0].as_str()).collect();
    assert!(to.contains(&"new@example.org"));
    assert!(to.contains(&"lin@example.org"));
    let warning = mails.iter().find(|m| m.to[0] == "lin@example.org").expect("the warning");
    assert!(warning.text().contains("您已經是會員"));
    assert!(warning.link(PUBLIC_URL).is_none());

    // Her password did not change.
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0005").await.status(), 303);
}

#[tokio::test]
async fn a_person_without_a_nursing_certificate_cannot_register() {
    let (app, smtp) = spawn_with_mail().await;
    // In the registry but holding no nurse's or midwife's certificate (the registry's own types
    // know only F, G, H and I, so the person is loaded with no certificate at all).
    let mut person = unregistered_midwife();
    person.certificates.clear();
    person.licences.clear();
    let id = add_person(&app, person).await;
    register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(smtp.received().is_empty());
    assert_eq!(app.store.unsent_mail_count().await.expect("a count"), 0);
}

#[tokio::test]
async fn registration_problems_are_named_next_to_each_field_and_nothing_typed_is_lost() {
    let (app, _smtp) = spawn_with_mail().await;
    let answer = register(&app, ["B22222222", "陳雅婷", "1988-13-40", "chen@", "short"], "C0001").await;
    let page = answer.text().await.expect("a body");
    assert!(page.contains("身分證字號格式不正確"));
    assert!(page.contains("出生日期格式不正確"));
    assert!(page.contains("電子郵件格式不正確"));
    assert!(page.contains("密碼太短，至少需要 12 個字元"));
    for kept in ["value=\"B22222222\"", "value=\"陳雅婷\"", "value=\"1988-13-40\"", "value=\"chen@\""] {
        assert!(page.contains(kept), "{kept} is kept");
    }
    assert!(!page.contains("value=\"short\""), "passwords are never sent back");
}

#[tokio::test]
async fn an_address_the_mailer_cannot_use_is_refused_next_to_the_field_and_nothing_is_mailed() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    // A domain literal in brackets, IPv4 and IPv6 (RFC 5321 §4.1.3): lettre's Address takes
    // both, but the sender reads the recipient again as a Mailbox, which does not, so a mail to
    // it would be given up. The form refuses it instead, under the e-mail field.
    // Characters outside ASCII, in the name or the domain, need a relay that speaks SMTPUTF8,
    // which most do not: refused the same way.
    let refused = [
        ("a@[127.0.0.1]", "C0001"),
        ("a@[IPv6:::1]", "C0002"),
        ("ä.lin@example.org", "C0003"),
        ("lin@例子.台灣", "C0004"),
    ];
    for (email, captcha) in refused {
        let page = register(&app, [&id, "陳雅婷", "1988-11-23", email, NEW_PASSWORD], captcha).await;
        let page = page.text().await.expect("a body");
        assert!(page.contains("id=\"email-error\">電子郵件格式不正確"), "{email}: {page}");
        assert!(page.contains(&format!("value=\"{email}\"")), "{email} is kept to be corrected");
    }
    assert!(register_audit(&app).await.is_empty(), "no registration was made");
    assert_eq!(app.store.unsent_mail_count().await.expect("a count"), 0);

    // The same details with a plain address are taken and mailed: the address was the problem.
    register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0005").await;
    assert_eq!(register_audit(&app).await, ["mailed B22*****28"]);
    assert_eq!(smtp.wait_for(1).await[0].to, vec!["chen@example.org".to_owned()]);
}

/// The token of a mailed link's local path.
fn token_of(path: &str) -> &str {
    path.split("token=").nth(1).expect("a token")
}

#[tokio::test]
async fn refused_links_are_audited_with_why_and_never_with_the_link_or_the_full_id() {
    let (app, smtp) = spawn_with_mail().await;
    let id = add_person(&app, unregistered_midwife()).await;
    register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0001").await;
    let verify = local_path(&smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a link"));
    // verify_link_hours = 24: expired at 86,400 s. Opened and pressed: the expired row goes
    // with the press, so pressing again finds no such link.
    app.clock.advance(24 * 3600);
    assert!(press_verify(&app, &verify, NEW_PASSWORD).await.contains("此連結無效"));
    assert!(press_verify(&app, &verify, NEW_PASSWORD).await.contains("此連結無效"));

    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0002").await;
    let used = local_path(&smtp.wait_for(2).await[1].link(PUBLIC_URL).expect("a link"));
    assert!(
        set_new_password(&app, &used, NEW_PASSWORD)
            .await
            .text()
            .await
            .expect("a body")
            .contains("密碼已重設")
    );
    // The used link, opened and then posted from a form kept open.
    assert!(app.get_text(&used).await.contains("此連結無效"));
    let csrf = csrf_of(&app.get_text("/password/forgot").await);
    let form =
        [("csrf", csrf.as_str()), ("token", token_of(&used)), ("password", "x"), ("password_again", "x")];
    assert!(
        app.post_form("/password/reset", &form).await.text().await.expect("a body").contains("此連結無效")
    );
    // A newer link, opened 30 min (reset_link_minutes) after it was mailed.
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0003").await;
    let mails = smtp.wait_for(4).await;
    let late = mails.iter().rev().find_map(|m| m.link(PUBLIC_URL)).expect("the newest link");
    let late = local_path(&late);
    app.clock.advance(30 * 60);
    assert!(app.get_text(&late).await.contains("此連結無效"));

    let rows = app
        .store
        .search_audit(&huzhu_store::audit::AuditFilter::default(), 100, 0)
        .await
        .expect("the audit log");
    let links: Vec<(&str, &str, bool)> = rows
        .iter()
        .rev()
        .filter(|r| ["verify_email", "reset_link", "reset_completed"].contains(&r.event.as_str()))
        .map(|r| (r.event.as_str(), r.outcome.as_str(), r.account_id.is_some()))
        .collect();
    assert_eq!(
        links,
        [
            ("verify_email", "refused_expired", true),
            ("verify_email", "refused_expired", true),
            // The made-up link opened and then posted: one row, the first of the hour for this
            // address (a flood of made-up links cannot grow the log).
            ("verify_email", "refused_unknown", false),
            ("reset_completed", "succeeded", true),
            ("reset_link", "refused_unknown", false),
            ("reset_completed", "refused_unknown", false),
            ("reset_link", "refused_expired", true),
        ]
    );
    let secrets = [token_of(&verify), token_of(&used), token_of(&late), NURSE_ID, id.as_str()];
    for row in &rows {
        let text = format!("{row:?}");
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

// ---- the verification page asks for the password chosen at registration ----

/// Whether the account of `id` is verified, read from the store.
async fn is_verified(app: &TestApp, id: &str) -> bool {
    let login = app.store.find_login(id).await.expect("a lookup").expect("an account");
    login.verified_at.is_some()
}

/// The audit records of verification pages, oldest first, as "outcome".
async fn verify_audit(app: &TestApp) -> Vec<String> {
    let mut entries = app.store.recent_audit(100).await.expect("the audit log");
    entries.reverse();
    entries.into_iter().filter(|e| e.event == "verify_email").map(|e| e.outcome).collect()
}

/// Registers the unregistered midwife with `email` and `password`; returns her ID and the path
/// of the link mailed to `email`.
async fn registered_midwife(
    app: &TestApp,
    smtp: &MailServer,
    email: &str,
    password: &str,
) -> (String, String) {
    let id = add_person(app, unregistered_midwife()).await;
    register(app, [&id, "陳雅婷", "1988-11-23", email, password], "C0001").await;
    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(mail.to, vec![email.to_owned()]);
    (id, local_path(&mail.link(PUBLIC_URL).expect("a verification link")))
}

#[tokio::test]
async fn a_strangers_registration_with_her_address_is_not_verified_by_her_opening_or_sending_the_link() {
    let (app, smtp) = spawn_with_mail().await;
    // Someone who knows her ID, name, birth date and address registers with a password of
    // their own; the link goes to her mailbox.
    let (id, path) = registered_midwife(&app, &smtp, "chen@example.org", THIEF_PASSWORD).await;
    let mail = smtp.received()[0].text();
    assert!(
        mail.contains("若不是您本人註冊，請忽略此信：沒有註冊時設定的密碼，任何人都無法使用這個帳號"),
        "{mail}"
    );

    // She opens it, thinking it hers: a form asking for the password, and nothing verified.
    let page = app.get_text(&path).await;
    assert!(page.contains("註冊時設定的密碼"), "{page}");
    assert!(!is_verified(&app, &id).await);

    // She sends it empty, then with a password of her own: refused next to the field each time,
    // one Argon2 verification for hers (none for the empty one), and still not verified.
    let empty = press_verify(&app, &path, "").await;
    assert!(empty.contains("請輸入密碼。"), "{empty}");
    let before = app.argon2_count();
    let hers = press_verify(&app, &path, NEW_PASSWORD).await;
    assert_eq!(app.argon2_count() - before, 1);
    assert!(hers.contains("密碼與註冊時設定的不符"), "{hers}");
    assert!(hers.contains("id=\"password-error\""));
    assert!(hers.contains("aria-invalid=\"true\""));
    assert!(!hers.contains(NEW_PASSWORD), "the typed password is never sent back");
    assert!(!is_verified(&app, &id).await);

    // So the stranger's password does not sign in (captcha C0002), once the 1 s wait her failure
    // set on the ID is over.
    app.clock.advance(1);
    assert_eq!(app.sign_in(&id, THIEF_PASSWORD, "C0002").await.status(), 200);
    assert!(!is_verified(&app, &id).await);
    // What was missing was the registration's password and nothing else: with it, the link
    // (still usable after the wrong tries) verifies. Two failures on the ID so far (hers and
    // the sign-in), so the wait is 2 s.
    app.clock.advance(2);
    assert!(press_verify(&app, &path, THIEF_PASSWORD).await.contains("電子郵件已驗證"));
    assert_eq!(verify_audit(&app).await, ["wrong_password", "succeeded"]);
}

#[tokio::test]
async fn opening_a_verification_link_changes_nothing() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;
    let before = app.argon2_count();

    // Opened three times in her browser, and fetched (GET and HEAD) by a mail scanner with no
    // cookies: each answer is the form, and none verifies or hashes anything.
    for _ in 0..3 {
        assert!(app.get_text(&path).await.contains("name=\"password\""));
    }
    let scanner = reqwest::Client::new();
    let fetched = scanner.get(app.url(&path)).send().await.expect("an answer");
    assert_eq!(fetched.status(), 200);
    assert!(fetched.text().await.expect("a body").contains("name=\"password\""));
    assert_eq!(scanner.head(app.url(&path)).send().await.expect("an answer").status(), 200);
    // A scanner that also sent the form, even with the right password, has no session: it gets
    // the form again and nothing is looked at.
    let token = token_of(&path);
    let posted = scanner
        .post(app.url("/register/verify"))
        .form(&[("token", token), ("password", NEW_PASSWORD)])
        .send()
        .await
        .expect("an answer");
    assert_eq!(posted.status(), 200);
    let posted = posted.text().await.expect("a body");
    assert!(
        posted.contains("頁面停留過久，請重新輸入。") && posted.contains("name=\"password\""),
        "{posted}"
    );
    // With a session but without its CSRF token: refused.
    let forged = app.post_form("/register/verify", &[("token", token), ("password", NEW_PASSWORD)]).await;
    assert_eq!(forged.status(), 403);

    assert_eq!(app.argon2_count() - before, 0);
    assert!(!is_verified(&app, &id).await);
    assert!(verify_audit(&app).await.is_empty(), "nothing happened to audit");
    // The link still works for her.
    assert!(press_verify(&app, &path, NEW_PASSWORD).await.contains("電子郵件已驗證"));
}

#[tokio::test]
async fn the_right_password_verifies_once_and_the_link_is_refused_afterwards() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;

    let before = app.argon2_count();
    let done = press_verify(&app, &path, NEW_PASSWORD).await;
    assert!(done.contains("電子郵件已驗證"), "{done}");
    assert!(done.contains("href=\"/login\""), "she is sent to sign in");
    // The page makes none, the password one verification.
    assert_eq!(app.argon2_count() - before, 1);
    assert!(is_verified(&app, &id).await);

    // The same link again, opened and posted from a form kept open, with the right password:
    // refused, and the password is not looked at.
    let before = app.argon2_count();
    let again = press_verify(&app, &path, NEW_PASSWORD).await;
    assert!(again.contains("此連結無效、已使用過或已逾時"), "{again}");
    assert!(!again.contains("name=\"password\""), "no form behind a used link");
    assert_eq!(app.argon2_count() - before, 0);
    // Opened and posted again: audited once, the first refusal of an unknown link this hour from
    // this address.
    assert_eq!(verify_audit(&app).await, ["succeeded", "refused_unknown"]);

    assert_eq!(app.sign_in(&id, NEW_PASSWORD, "C0002").await.status(), 303);
    // Neither the link nor the full ID is in the audit log.
    let rows = app.store.recent_audit(100).await.expect("the audit log");
    for row in &rows {
        let text = format!("{row:?}");
        assert!(!text.contains(token_of(&path)) && !text.contains(id.as_str()), "{text}");
    }
}

#[tokio::test]
async fn a_verification_page_left_open_past_its_session_asks_again_and_keeps_the_link() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;
    let page = app.get_text(&path).await;
    // session_idle_minutes = 30: the session of the open page has ended at 30 min.
    app.clock.advance(30 * 60);
    let form = [
        ("csrf", csrf_of(&page)),
        ("token", token_of(&path).to_owned()),
        ("password", NEW_PASSWORD.to_owned()),
    ];
    let before = app.argon2_count();
    let again = app.client.post(app.url("/register/verify")).form(&form).send().await.expect("an answer");
    assert_eq!(again.status(), 200);
    let again = again.text().await.expect("a body");
    assert!(again.contains("頁面停留過久，請重新輸入。"), "{again}");
    assert_eq!(app.argon2_count() - before, 0);
    assert!(!is_verified(&app, &id).await);
    // Sent again from that page, in its new session: verified.
    let csrf = csrf_of(&again);
    let form = [("csrf", csrf.as_str()), ("token", token_of(&path)), ("password", NEW_PASSWORD)];
    let done = app.post_form("/register/verify", &form).await.text().await.expect("a body");
    assert!(done.contains("電子郵件已驗證"), "{done}");
}

/// Sends the verification form with a wrong password; returns the page and the Argon2 runs.
async fn wrong_verify(app: &TestApp, path: &str) -> (String, u64) {
    let before = app.argon2_count();
    let page = press_verify(app, path, "not the registration password").await;
    (page, app.argon2_count() - before)
}

#[tokio::test]
async fn five_wrong_passwords_void_the_verification_link_whatever_the_ids_waits() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;

    // Four wrong passwords straight after one another: each looked at (one Argon2 run), none
    // held back by the ID's growing wait, which does not apply to the holder of the link.
    for _ in 0..4 {
        let (page, runs) = wrong_verify(&app, &path).await;
        assert!(page.contains("密碼與註冊時設定的不符"), "{page}");
        assert_eq!(runs, 1);
    }
    // The fifth (VERIFY_LINK_GUESSES = 5) makes the link void, and says what to do.
    let (page, runs) = wrong_verify(&app, &path).await;
    assert_eq!(runs, 1);
    assert!(page.contains("密碼已輸入錯誤 5 次，此驗證連結已失效。請重新註冊"), "{page}");
    assert!(page.contains("href=\"/register\""), "{page}");
    // Even the right password no longer verifies with it.
    let after = press_verify(&app, &path, NEW_PASSWORD).await;
    assert!(after.contains("此連結無效、已使用過或已逾時"), "{after}");
    assert!(!is_verified(&app, &id).await);

    let audit = verify_audit(&app).await;
    let mut expected = vec!["wrong_password"; 4];
    expected.push("link_void");
    assert_eq!(audit[..5], expected);
}

#[tokio::test]
async fn a_stranger_who_pauses_her_pending_id_does_not_stop_her_verifying() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;
    // Five wrong sign-ins on her ID (captchas C0002 to C0006; C0001 went on the registration)
    // pause the account (lock_threshold = 5) and leave the ID a 16 s wait.
    crate::throttle::fail_times(&app, &id, 5, 2).await;
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    assert!(audit.iter().any(|e| (e.event.as_str(), e.outcome.as_str()) == ("lock", "account")));
    // Straight away, within both, her link and her password verify her address.
    let page = press_verify(&app, &path, NEW_PASSWORD).await;
    assert!(page.contains("電子郵件已驗證"), "{page}");
    assert!(is_verified(&app, &id).await);
}

#[tokio::test]
async fn no_pause_mail_goes_to_an_unverified_address() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, _path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;
    // Five wrong sign-ins (captchas C0002 to C0006) pause the pending account ...
    crate::throttle::fail_times(&app, &id, 5, 2).await;
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    assert!(audit.iter().any(|e| (e.event.as_str(), e.outcome.as_str()) == ("lock", "account")));
    // ... but tell nobody: whoever registered may have typed someone else's address. The next
    // mail sent after the verification link is another member's reset link (captcha C0007).
    assert_eq!(ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0007").await.status(), 200);
    let mails = smtp.wait_for(2).await;
    assert_eq!(mails[1].to, vec!["lin@example.org".to_owned()]);
}

#[tokio::test]
async fn her_right_password_before_verifying_does_not_count_towards_the_pause() {
    let (app, smtp) = spawn_with_mail().await;
    let (id, _path) = registered_midwife(&app, &smtp, "chen@example.org", NEW_PASSWORD).await;
    // Five sign-ins with her right password before she opened the link (captchas C0002 to
    // C0006), each after the previous one's wait: the neutral answer of a wrong password ...
    for n in 1..=5_u32 {
        if n > 1 {
            crate::throttle::wait_after(&app, n - 1);
        }
        let captcha = format!("C{:04}", n + 1);
        let page = app.sign_in(&id, NEW_PASSWORD, &captcha).await.text().await.expect("a body");
        assert!(page.contains("身分證字號或密碼不正確"), "{page}");
    }
    // ... but no pause, which five wrong passwords (lock_threshold = 5) would have started.
    let audit = app.store.recent_audit(100).await.expect("the audit log");
    assert!(!audit.iter().any(|e| e.event == "lock"));
    let sign_ins: Vec<_> =
        audit.iter().filter(|e| e.event == "sign_in").map(|e| e.outcome.as_str()).collect();
    assert_eq!(sign_ins, vec!["unverified"; 5]);
}

#[tokio::test]
async fn the_configured_link_lifetimes_are_said_on_the_pages_and_in_the_mails() {
    let smtp = MailServer::start();
    let url = smtp.url();
    // Not the defaults (30 minutes, 24 hours).
    let app = TestApp::spawn_with(move |config| {
        with_mail(url)(config);
        config.reset_link_minutes = 45;
        config.verify_link_hours = 48;
    })
    .await;

    let answer = ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    let page = answer.text().await.expect("a body");
    assert!(page.contains("連結 45 分鐘內有效"), "{page}");
    assert!(smtp.wait_for(1).await[0].text().contains("請在 45 分鐘內開啟下面的連結"));

    let id = add_person(&app, unregistered_midwife()).await;
    let answer =
        register(&app, [&id, "陳雅婷", "1988-11-23", "chen@example.org", NEW_PASSWORD], "C0002").await;
    let page = answer.text().await.expect("a body");
    assert!(page.contains("請於 48 小時內開啟信中的連結"), "{page}");
    let mails = smtp.wait_for(2).await;
    let verify = mails.iter().find(|m| m.to == vec!["chen@example.org".to_owned()]).expect("the mail");
    assert!(verify.text().contains("請在 48 小時內開啟下面的連結"));
}

#[tokio::test]
async fn each_mail_has_a_message_id_of_its_own_at_the_senders_domain() {
    let (app, smtp) = spawn_with_mail().await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0002").await;
    let mails = smtp.wait_for(2).await;
    let ids: Vec<String> = mails
        .iter()
        .map(|mail| {
            let line = mail.raw.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:"));
            line.expect("a Message-ID header").split_once(':').expect("a value").1.trim().to_owned()
        })
        .collect();
    for id in &ids {
        // The default mail_from is no-reply@localhost: 32 hex digits (128 bits) @localhost.
        let inner = id.strip_prefix('<').and_then(|i| i.strip_suffix("@localhost>")).expect("<…@localhost>");
        assert_eq!(inner.len(), 32, "{id}");
        assert!(inner.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(ids[0], ids[1]);
}

/// The hint under a new password when `password_profile = "government_baseline"`: the rule of
/// `huzhu_core::password_policy::character_classes` in words (three of four; a space and a
/// Chinese character count as none).
const BASELINE_HINT_ZH: &str = "<p class=\"hint\" id=\"password-hint\">至少 12 個字元，並包含大寫字母、小寫字母、數字、符號四類中的至少三類（空白與中文字不屬於任何一類）；";
const BASELINE_HINT_EN: &str = "<p class=\"hint\" id=\"password-hint\">At least 12 characters, with at least three of the four kinds: upper case, lower case, digits, symbols (a space or a Chinese character is none of them).";

#[tokio::test]
async fn under_the_government_baseline_the_password_hint_names_its_three_of_four_rule() {
    let smtp = MailServer::start();
    let url = smtp.url();
    let app = TestApp::spawn_with(move |config| {
        with_mail(url)(config);
        config.password_profile = huzhu_core::password_policy::Profile::GovernmentBaseline;
    })
    .await;
    // The three places a new password is chosen: registering, the mailed reset link, and
    // 變更密碼 once signed in (captchas C0001 and C0002).
    assert!(app.get_text("/register").await.contains(BASELINE_HINT_ZH));
    ask_for_reset(&app, NURSE_ID, "lin@example.org", "C0001").await;
    let link = smtp.wait_for(1).await[0].link(PUBLIC_URL).expect("a reset link");
    assert!(app.get_text(&local_path(&link)).await.contains(BASELINE_HINT_ZH));
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(), 303);
    assert!(app.get_text("/member/password").await.contains(BASELINE_HINT_ZH));

    assert_eq!(app.get("/lang?to=en").await.status(), 303);
    assert!(app.get_text("/member/password").await.contains(BASELINE_HINT_EN));
    assert!(app.get_text(&local_path(&link)).await.contains(BASELINE_HINT_EN));
}

#[tokio::test]
async fn under_the_default_profile_the_password_hint_asks_for_no_kinds_of_characters() {
    let app = TestApp::spawn().await;
    let page = app.get_text("/register").await;
    assert!(page.contains("<p class=\"hint\" id=\"password-hint\">至少 12 個字元，可使用空白與中文；"));
    assert!(!page.contains("四類"));
}

#[tokio::test]
async fn the_hint_and_the_too_short_refusal_name_the_configured_minimum() {
    let app = TestApp::spawn_with(|config| config.password_min_length = 16).await;
    let page = app.get_text("/register").await;
    assert!(page.contains("<p class=\"hint\" id=\"password-hint\">至少 16 個字元，可使用空白與中文；"));
    assert!(!page.contains("12 個字元"));

    // "fifteen chars!!" is 15 characters (7 + 1 + 5 + 2), one short of 16.
    let answer =
        register(&app, ["B22222222", "陳雅婷", "1988-11-23", "chen@example.org", "fifteen chars!!"], "C0001")
            .await;
    let page = answer.text().await.expect("a body");
    // Once in the summary at the top, once next to the field.
    assert_eq!(page.matches("密碼太短，至少需要 16 個字元").count(), 2, "{page}");
}
