//! Attempts sent at the same moment: the waits, pauses and caps hold for a burst as they do for
//! attempts one after another. Each request of a burst comes from its own session with its own
//! captcha, prepared in turn, then all are sent at once. The test clock stands still, so a wait
//! one attempt earns holds off every later attempt of the burst. Also: what a stranger's
//! attempts cause is told to the nurse in her own language.

use futures_util::future::join_all;
use huzhu_core::id::IdNumber;

use crate::helpers::{
    NURSE_ID, NURSE_PASSWORD, TestApp, browser_with_cookie, csrf_of, device_cookie_value, new_browser,
    session_cookie,
};
use crate::throttle::{WRONG, spawn};

/// One burst at a time: the password checks waiting for a core are limited for the whole
/// process (`password::ticket`, 17 per core), which every test shares, so two bursts at once
/// would be refused in part with 503 and check fewer than they are about.
static ONE_BURST: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const WAIT_PAGE: &str = "登入嘗試過於頻繁";
const WRONG_PAGE: &str = "身分證字號或密碼不正確";

/// A browser with the sign-in page open and its captcha drawn: the `n`-th captcha of the app.
struct Ready {
    client: reqwest::Client,
    csrf: String,
    captcha: String,
}

async fn ready(app: &TestApp, client: reqwest::Client, page: &str, n: usize) -> Ready {
    let html = client.get(app.url(page)).send().await.expect("the page").text().await.expect("a body");
    let image = client.get(app.url("/captcha")).send().await.expect("a captcha");
    assert_eq!(image.status(), 200);
    Ready { client, csrf: csrf_of(&html), captcha: format!("C{n:04}") }
}

/// The sign-in form's post from a ready browser, from the client address `forwarded` when a
/// trusted proxy is configured.
fn sign_in_post(
    app: &TestApp,
    b: &Ready,
    id: &str,
    password: &str,
    forwarded: Option<&str>,
) -> reqwest::RequestBuilder {
    let form =
        [("csrf", b.csrf.as_str()), ("id_number", id), ("password", password), ("captcha", &b.captcha)];
    let post = b.client.post(app.url("/login")).form(&form);
    match forwarded {
        Some(address) => post.header("x-forwarded-for", address),
        None => post,
    }
}

/// Sends one sign-in from each browser at once; returns each answer's status and body.
async fn sign_in_at_once(app: &TestApp, browsers: &[Ready], id: &str, password: &str) -> Vec<(u16, String)> {
    let posts = browsers.iter().map(|b| async move {
        let response = sign_in_post(app, b, id, password, None).send().await.expect("an answer");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    });
    join_all(posts).await
}

async fn audit_count(app: &TestApp, event: &str, outcome: &str) -> usize {
    let audit = app.store.recent_audit(500).await.expect("the audit log");
    audit.iter().filter(|e| e.event == event && e.outcome == outcome).count()
}

#[tokio::test]
async fn twelve_guesses_at_once_on_one_id_get_one_password_check() {
    let _one_burst = ONE_BURST.lock().await;
    let (app, _smtp) = spawn(|_| {}).await;
    let mut browsers = Vec::new();
    for n in 1..=12 {
        browsers.push(ready(&app, new_browser(), "/login", n).await);
    }
    let before = app.argon2_count();
    let answers = sign_in_at_once(&app, &browsers, NURSE_ID, WRONG).await;

    // The first to take the ID's turn is checked and fails, which sets a 1 s wait on the ID; the
    // clock stands still, so the other eleven are each told to wait, unchecked.
    assert_eq!(app.argon2_count() - before, 1);
    assert_eq!(answers.iter().filter(|(_, page)| page.contains(WRONG_PAGE)).count(), 1);
    assert_eq!(answers.iter().filter(|(_, page)| page.contains(WAIT_PAGE)).count(), 11);
    assert_eq!(audit_count(&app, "sign_in", "wrong_password").await, 1);
    assert_eq!(audit_count(&app, "sign_in", "delayed").await, 11);

    // After the wait, her right password signs in: the turn taken by the burst was handed on.
    app.clock.advance(1);
    let browser = ready(&app, new_browser(), "/login", 13).await;
    let answer = sign_in_at_once(&app, std::slice::from_ref(&browser), NURSE_ID, NURSE_PASSWORD).await;
    assert_eq!(answer[0].0, 303);
}

#[tokio::test]
async fn a_burst_on_many_ids_from_an_address_near_its_waits_gets_one_check() {
    let _one_burst = ONE_BURST.lock().await;
    // The address's waits begin at its 2nd failure, so from its 1st on, attempts from it take
    // its turn one at a time.
    let (app, _smtp) = spawn(|config| config.address_delay_after = 2).await;
    let first = ready(&app, new_browser(), "/login", 1).await;
    let answer = sign_in_at_once(&app, std::slice::from_ref(&first), NURSE_ID, WRONG).await;
    assert!(answer[0].1.contains(WRONG_PAGE));

    // Six guesses at once, each on an ID of its own (valid, nobody's: T10000001 to T10000006
    // with their check digits), none of which has a wait of its own.
    let ids: Vec<String> = (1..=6)
        .map(|i| IdNumber::with_check_digit(&format!("T1000000{i}")).expect("a valid ID").as_str().to_owned())
        .collect();
    let mut browsers = Vec::new();
    for n in 2..=7 {
        browsers.push(ready(&app, new_browser(), "/login", n).await);
    }
    let before = app.argon2_count();
    let posts = browsers.iter().zip(&ids).map(|(b, id)| {
        let app = &app;
        async move {
            let response = sign_in_post(app, b, id, WRONG, None).send().await.expect("an answer");
            response.text().await.expect("a body")
        }
    });
    let pages = join_all(posts).await;

    // One takes the address's turn and fails (its 2nd failure: a 1 s wait on the address);
    // the other five are told to wait without a check.
    assert_eq!(app.argon2_count() - before, 1);
    assert_eq!(pages.iter().filter(|page| page.contains(WAIT_PAGE)).count(), 5);
}

#[tokio::test]
async fn a_burst_with_a_stolen_device_cookie_gets_its_five_checks_and_one_more() {
    let _one_burst = ONE_BURST.lock().await;
    let (app, _smtp) = spawn(|_| {}).await;
    let signed_in = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    assert_eq!(signed_in.status(), 303);
    let cookie = device_cookie_value(&signed_in);

    let mut browsers = Vec::new();
    for n in 2..=11 {
        browsers.push(
            ready(&app, browser_with_cookie(&app.url("/"), "huzhu_device", &cookie), "/login", n).await,
        );
    }
    let before = app.argon2_count();
    let answers = sign_in_at_once(&app, &browsers, NURSE_ID, WRONG).await;

    // Ten at once with her cookie: the cookie's allowance of 5 (device_cookie_failures) is
    // counted before each check, so exactly 5 are checked on it; the other 5 are throttled as
    // without a cookie, where one takes the ID's turn (checked, failing, 1 s wait) and four
    // wait. 5 + 1 = 6 checks.
    assert_eq!(app.argon2_count() - before, 6);
    assert_eq!(answers.iter().filter(|(_, page)| page.contains(WAIT_PAGE)).count(), 4);
    assert_eq!(audit_count(&app, "device_cookie", "distrusted").await, 1);
}

#[tokio::test]
async fn twelve_reset_requests_at_once_mail_five_links() {
    let _one_burst = ONE_BURST.lock().await;
    let (app, smtp) = spawn(|_| {}).await;
    let mut browsers = Vec::new();
    for n in 1..=12 {
        browsers.push(ready(&app, new_browser(), "/password/forgot", n).await);
    }
    let posts = browsers.iter().map(|b| {
        let app = &app;
        async move {
            let form = [
                ("csrf", b.csrf.as_str()),
                ("id_number", NURSE_ID),
                ("email", "lin@example.org"),
                ("captcha", &b.captcha),
            ];
            b.client.post(app.url("/password/forgot")).form(&form).send().await.expect("an answer").status()
        }
    });
    let statuses = join_all(posts).await;
    assert!(statuses.iter().all(|s| s.as_u16() == 200), "{statuses:?}");

    // reset_mails_per_hour is 5: each request is counted before its mail, so five are mailed
    // and seven are not, however they interleave.
    assert_eq!(audit_count(&app, "reset_requested", "mailed").await, 5);
    assert_eq!(audit_count(&app, "reset_requested", "not_mailed").await, 7);
    smtp.wait_for(5).await;
    assert_eq!(app.unsent_mail_after_delivery().await, 0);
    assert_eq!(smtp.received().len(), 5);
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_64_network_not_by_each_address() {
    let _one_burst = ONE_BURST.lock().await;
    // Behind a trusted proxy; the address waits begin at the 3rd failure from an address.
    let (app, _smtp) = spawn(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")];
        config.address_delay_after = 3;
    })
    .await;
    // Three failures, each from another address of 2001:db8:2::/64 (a documentation network)
    // and on an ID of its own, so no ID wait is involved: T10000001 to T10000003.
    for i in 1..=3 {
        let id = IdNumber::with_check_digit(&format!("T1000000{i}")).expect("a valid ID");
        let page = guess_from(&app, &format!("2001:db8:2::{i:x}"), id.as_str(), i).await;
        assert!(page.contains(WRONG_PAGE), "{page}");
    }
    // The 3rd failure of the /64 set a 1 s wait on it: a 4th address of it waits too.
    let id = IdNumber::with_check_digit("T10000004").expect("a valid ID");
    assert!(guess_from(&app, "2001:db8:2::c", id.as_str(), 4).await.contains(WAIT_PAGE));
    // Another /64 is another client.
    assert!(guess_from(&app, "2001:db8:3::1", id.as_str(), 5).await.contains(WRONG_PAGE));
}

/// A wrong password for `id` from `forwarded` (as the trusted proxy says), with captcha `n`.
async fn guess_from(app: &TestApp, forwarded: &str, id: &str, n: usize) -> String {
    let browser = ready(app, new_browser(), "/login", n).await;
    let response = sign_in_post(app, &browser, id, WRONG, Some(forwarded)).send().await.expect("an answer");
    response.text().await.expect("a body")
}

#[tokio::test]
async fn twelve_wrong_current_passwords_at_once_get_one_check() {
    let _one_burst = ONE_BURST.lock().await;
    let (app, _smtp) = spawn(|_| {}).await;
    // Her session, taken to a browser that has no device cookie of hers, as a stolen one would be.
    let browser = ready(&app, new_browser(), "/login", 1).await;
    let signed_in =
        sign_in_post(&app, &browser, NURSE_ID, NURSE_PASSWORD, None).send().await.expect("an answer");
    assert_eq!(signed_in.status(), 303);
    let session = session_cookie(&signed_in).expect("a session cookie");
    let (name, value) = session.split_once('=').expect("name=value");
    let stolen = browser_with_cookie(&app.url("/"), name, value);
    let page = stolen.get(app.url("/member/password")).send().await.expect("the form");
    let csrf = csrf_of(&page.text().await.expect("a body"));

    let before = app.argon2_count();
    let posts = (0..12).map(|_| {
        let (app, stolen, csrf) = (&app, &stolen, &csrf);
        async move {
            let form = [
                ("csrf", csrf.as_str()),
                ("current_password", WRONG),
                ("password", "a new and quite long passphrase"),
                ("password_again", "a new and quite long passphrase"),
            ];
            let response =
                stolen.post(app.url("/member/password")).form(&form).send().await.expect("an answer");
            response.text().await.expect("a body")
        }
    });
    let pages = join_all(posts).await;
    // One takes the ID's turn and is checked (wrong: a 1 s wait); the other eleven are told to
    // wait, by the turn while it is checked or by the wait it earned.
    assert_eq!(app.argon2_count() - before, 1);
    assert_eq!(pages.iter().filter(|page| page.contains("密碼輸入錯誤次數過多，請於")).count(), 11);
}

#[tokio::test]
async fn a_pause_a_stranger_causes_is_told_in_the_language_she_uses() {
    let _one_burst = ONE_BURST.lock().await;
    let (app, smtp) = spawn(|_| {}).await;
    // She uses the portal in English: she switches, signs in and out.
    let hers = new_browser();
    assert_eq!(hers.get(app.url("/lang?to=en")).send().await.expect("the switch").status(), 303);
    let browser = ready(&app, hers, "/login", 1).await;
    let signed_in =
        sign_in_post(&app, &browser, NURSE_ID, NURSE_PASSWORD, None).send().await.expect("an answer");
    assert_eq!(signed_in.status(), 303);

    // A stranger, with the portal in Chinese (the default), guesses five times, each after the
    // wait the one before earned (1, 2, 4, 8 s): the fifth pauses her password sign-in.
    for n in 2..=6 {
        if n > 2 {
            app.clock.advance(1 << (n - 3));
        }
        let stranger = ready(&app, new_browser(), "/login", n).await;
        let answer = sign_in_at_once(&app, std::slice::from_ref(&stranger), NURSE_ID, WRONG).await;
        assert!(answer[0].1.contains(WRONG_PAGE), "attempt {n}");
    }
    // The notice goes to her in English, the language she uses, not the stranger's.
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].raw.contains("Huzhu: password sign-in paused for 15 minutes"), "{}", mails[0].raw);
}

#[tokio::test]
async fn ten_registrations_at_once_mail_no_more_than_the_hours_links() {
    let _one_burst = ONE_BURST.lock().await;
    use crate::accounts::{add_person, unregistered_midwife};
    let (app, _smtp) = spawn(|_| {}).await;
    let id = add_person(&app, unregistered_midwife()).await;
    let password = "marigold tapestry kettle ferry";
    // The first registration makes the pending account and mails link 1 of the hour's 5
    // (verify_mails_per_hour).
    let mut browsers = Vec::new();
    for n in 1..=11 {
        browsers.push(ready(&app, new_browser(), "/register", n).await);
    }
    let register = |b: &Ready| {
        let (app, id) = (&app, id.as_str());
        let form = [
            ("csrf", b.csrf.clone()),
            ("id_number", id.to_owned()),
            ("name", "陳雅婷".to_owned()),
            ("birth_date", "1988-11-23".to_owned()),
            ("email", "chen@example.org".to_owned()),
            ("password", password.to_owned()),
            ("password_again", password.to_owned()),
            ("captcha", b.captcha.clone()),
        ];
        let client = b.client.clone();
        async move { client.post(app.url("/register")).form(&form).send().await.expect("an answer").status() }
    };
    assert_eq!(register(&browsers[0]).await.as_u16(), 200);
    // Ten more at once, the same details and address: 4 more links, 6 mail nothing.
    let statuses = join_all(browsers[1..].iter().map(register)).await;
    assert!(statuses.iter().all(|s| s.as_u16() == 200), "{statuses:?}");
    assert_eq!(audit_count(&app, "register", "mailed").await, 5);
    assert_eq!(audit_count(&app, "register", "not_mailed").await, 6);
}

#[tokio::test]
async fn made_up_links_by_the_hundred_add_one_audit_row_an_hour() {
    let _one_burst = ONE_BURST.lock().await;
    let (app, _smtp) = spawn(|_| {}).await;
    for n in 0..100 {
        app.get(&format!("/password/reset?token=made-up-{n}")).await;
        app.get(&format!("/register/verify?token=made-up-{n}")).await;
    }
    // One row for each page, the first of the hour from this address.
    assert_eq!(audit_count(&app, "reset_link", "refused_unknown").await, 1);
    assert_eq!(audit_count(&app, "verify_email", "refused_unknown").await, 1);
    // An hour later, the next made-up link is audited again.
    app.clock.advance(3600);
    app.get("/password/reset?token=made-up-again").await;
    assert_eq!(audit_count(&app, "reset_link", "refused_unknown").await, 2);
}

#[tokio::test]
async fn ten_wrong_passwords_at_once_on_a_verification_link_get_five_checks() {
    let _one_burst = ONE_BURST.lock().await;
    use crate::accounts::{add_person, local_path, register, unregistered_midwife};
    let (app, smtp) = spawn(|_| {}).await;
    let id = add_person(&app, unregistered_midwife()).await;
    register(
        &app,
        [&id, "陳雅婷", "1988-11-23", "chen@example.org", "marigold tapestry kettle ferry"],
        "C0001",
    )
    .await;
    let link = smtp.wait_for(1).await[0].link("http://portal.example.test").expect("a verification link");
    let path = local_path(&link);
    let token = path.split("token=").nth(1).expect("a token").to_owned();

    // Ten browsers with the link's page open (each its own session and CSRF token).
    let mut forms = Vec::new();
    for _ in 0..10 {
        let client = new_browser();
        let page = client.get(app.url(&path)).send().await.expect("the page").text().await.expect("a body");
        forms.push((client, csrf_of(&page)));
    }
    let before = app.argon2_count();
    let posts = forms.iter().map(|(client, csrf)| {
        let form = [("csrf", csrf.as_str()), ("token", token.as_str()), ("password", WRONG)];
        let post = client.post(app.url("/register/verify")).form(&form);
        async move { post.send().await.expect("an answer").status() }
    });
    join_all(posts).await;
    // A link takes 5 guesses (VERIFY_LINK_GUESSES), each counted before its check: five
    // checks, the fifth voids it once; the other five are refused unchecked.
    assert_eq!(app.argon2_count() - before, 5);
    assert_eq!(audit_count(&app, "verify_email", "link_void").await, 1);
    assert_eq!(audit_count(&app, "verify_email", "wrong_password").await, 4);
}

#[tokio::test]
async fn a_burst_on_many_ids_from_a_fresh_address_gets_no_more_than_its_waits_allow() {
    let _one_burst = ONE_BURST.lock().await;
    // The default address_delay_after is 10: the address's waits begin at its 10th failure.
    let (app, _smtp) = spawn(|_| {}).await;
    let ids: Vec<String> = (10..34)
        .map(|i| IdNumber::with_check_digit(&format!("T100000{i}")).expect("a valid ID").as_str().to_owned())
        .collect();
    let mut browsers = Vec::new();
    for n in 1..=ids.len() {
        browsers.push(ready(&app, new_browser(), "/login", n).await);
    }
    let before = app.argon2_count();
    let posts = browsers.iter().zip(&ids).map(|(b, id)| {
        let post = sign_in_post(&app, b, id, WRONG, None);
        async move { post.send().await.expect("an answer").status() }
    });
    join_all(posts).await;
    // 24 guesses at once, each on an ID of its own, from an address with no failures. Each
    // attempt counts itself among the address's attempts being checked before its check; the
    // first 9 (failures + being checked < 10) go on freely, every later one needs the address's
    // turn, one at a time, and only until the address's 10th failure starts its wait. So at
    // least 9 + 1 = 10 checks and at most 9 + 10 = 19, however the 24 interleave; without the
    // count, all 24 would be checked.
    let checks = app.argon2_count() - before;
    assert!((10..=19).contains(&checks), "{checks} checks");
}
