//! The operator area: sign-in with a password and a TOTP code, content, unlock, audit log.
//!
//! The TOTP codes are computed here from RFC 6238 with HMAC-SHA-1 directly (not through the
//! crate the server uses), and that computation is first checked against the RFC's own table.

use hmac::{Hmac, Mac};
use huzhu_store::audit::AuditFilter;
use sha1::Sha1;

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, START, TestApp, csrf_of};

/// RFC 6238 appendix B's SHA-1 key, the ASCII text "12345678901234567890".
const RFC_KEY: &[u8] = b"12345678901234567890";
/// The same key in base32 (RFC 4648): 20 bytes are 160 bits, 32 symbols of 5 bits, no padding.
pub(crate) const RFC_KEY_BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

pub(crate) const OPERATOR: &str = "ops.chen";
pub(crate) const OPERATOR_PASSWORD: &str = "quartz lantern meadow violin";

/// HOTP (RFC 4226 §5.3) of `counter`, `digits` long: HMAC-SHA-1 of the big-endian counter,
/// dynamic truncation at the offset in the last nibble, the low 31 bits modulo 10^digits.
fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let bits = u32::from_be_bytes([hash[offset], hash[offset + 1], hash[offset + 2], hash[offset + 3]])
        & 0x7fff_ffff;
    format!("{:0width$}", bits % 10u32.pow(digits), width = digits as usize)
}

/// TOTP (RFC 6238 §4): HOTP of the number of 30-second steps since the epoch.
pub(crate) fn totp(unix_time: i64, digits: u32) -> String {
    hotp(RFC_KEY, (unix_time / 30) as u64, digits)
}

/// RFC 6238 appendix B, the SHA-1 rows: (time, 8-digit code).
const RFC_TABLE: [(i64, &str); 6] = [
    (59, "94287082"),
    (1_111_111_109, "07081804"),
    (1_111_111_111, "14050471"),
    (1_234_567_890, "89005924"),
    (2_000_000_000, "69279037"),
    (20_000_000_000, "65353130"),
];

#[test]
fn the_test_totp_and_the_servers_totp_both_give_the_rfc_6238_codes() {
    for (time, code) in RFC_TABLE {
        assert_eq!(totp(time, 8), code, "the test's own TOTP at {time}");
        // Six digits are the same number modulo 10^6: the last six digits of the table's code.
        let six = &code[2..];
        let step = time.div_euclid(30);
        let found = huzhu_web::operator::matching_step(RFC_KEY_BASE32, "t", six, time).expect("a key");
        assert_eq!(found, Some(step), "the server's TOTP at {time}");
    }
}

#[test]
fn a_code_is_accepted_one_step_early_or_late_and_not_two() {
    // At 1,234,567,890 s the step is 41,152,263 (30 × 41,152,263 = 1,234,567,890 exactly).
    let now = 1_234_567_890;
    let step = 41_152_263_i64;
    for (delta, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
        let code = hotp(RFC_KEY, (step + delta) as u64, 6);
        let found = huzhu_web::operator::matching_step(RFC_KEY_BASE32, "t", &code, now).expect("a key");
        assert_eq!(found.is_some(), accepted, "a code {delta} steps away");
    }
    for bad in ["", "12345", "1234567", "abcdef", "12 456"] {
        assert_eq!(huzhu_web::operator::matching_step(RFC_KEY_BASE32, "t", bad, now).expect("a key"), None);
    }
}

/// The test app with one operator, whose TOTP key is the RFC's.
pub(crate) async fn add_operator(app: &TestApp) {
    let hash = huzhu_web::password::hash(OPERATOR_PASSWORD.to_owned()).await.expect("a hash");
    app.store.create_operator(OPERATOR, &hash, RFC_KEY_BASE32, START).await.expect("the operator is created");
}

async fn app_with_operator() -> TestApp {
    let app = TestApp::spawn().await;
    add_operator(&app).await;
    app
}

/// A client of its own, so an operator and a member can be signed in side by side.
fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

pub(crate) struct Ops<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
}

impl Ops<'_> {
    pub(crate) fn new(app: &TestApp) -> Ops<'_> {
        Ops { app, client: new_client() }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.app.url(path)).send().await.expect("an answer")
    }

    pub(crate) async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("a body")
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.app.url(path)).form(form).send().await.expect("an answer")
    }

    pub(crate) async fn sign_in_with(&self, name: &str, password: &str, code: &str) -> reqwest::Response {
        let csrf = csrf_of(&self.text("/ops/login").await);
        self.post(
            "/ops/login",
            &[("csrf", &csrf), ("username", name), ("password", password), ("code", code)],
        )
        .await
    }

    /// Signs in with the code of the app's current time.
    async fn sign_in(&self) {
        let response = self.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(self.app.clock_now(), 6)).await;
        assert_eq!(response.status(), 303, "the operator signs in");
        assert_eq!(response.headers()["location"], "/ops");
    }

    /// Posts a form of a page, with the page's CSRF token.
    pub(crate) async fn submit(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let csrf = csrf_of(&self.text(page).await);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }
}

trait ClockNow {
    fn clock_now(&self) -> i64;
}

impl ClockNow for TestApp {
    fn clock_now(&self) -> i64 {
        use huzhu_web::Clock;
        self.clock.now()
    }
}

#[tokio::test]
async fn an_operator_signs_in_with_password_and_code_and_a_used_code_is_refused() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let code = totp(START, 6);
    let response = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &code).await;
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"].to_str().expect("text").to_owned();
    assert!(cookie.starts_with("huzhu_ops=") && cookie.contains("Path=/ops") && cookie.contains("HttpOnly"));
    let home = ops.text("/ops").await;
    assert!(home.contains(OPERATOR), "the operator's home page names her");

    let csrf = csrf_of(&home);
    assert_eq!(ops.post("/ops/logout", &[("csrf", &csrf)]).await.status(), 303);
    assert_eq!(ops.get("/ops").await.headers()["location"], "/ops/login");

    // The same code again, in the same 30 seconds: refused.
    let replay = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &code).await;
    assert_eq!(replay.status(), 200);
    assert!(replay.text().await.expect("a body").contains("登入失敗"));
    // The page says only "failed"; the audit log says the code was a replay (ASVS 2.8.5).
    let filter = AuditFilter { event: Some("ops_sign_in"), ..AuditFilter::default() };
    let rows = app.store.search_audit(&filter, 10, 0).await.expect("the audit log");
    assert_eq!(rows.iter().filter(|r| r.outcome == "code_reused").count(), 1, "{rows:?}");

    // The next step's code works once the clock reaches it.
    app.clock.advance(30);
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START + 30, 6)).await.status(), 303);
}

#[tokio::test]
async fn signing_in_replaces_the_operator_session_and_the_old_token_opens_nothing() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let form = ops.get("/ops/login").await;
    let before = cookie_token(&form);
    let csrf_before = csrf_of(&form.text().await.expect("a body"));
    let code = totp(START, 6);
    let signed_in = ops
        .post(
            "/ops/login",
            &[
                ("csrf", &csrf_before),
                ("username", OPERATOR),
                ("password", OPERATOR_PASSWORD),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    let after = cookie_token(&signed_in);
    assert_ne!(before, after);
    assert_ne!(csrf_of(&ops.text("/ops").await), csrf_before, "a new CSRF token too");

    let old = new_client()
        .get(app.url("/ops"))
        .header("cookie", format!("huzhu_ops={before}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(old.headers()["location"], "/ops/login", "the token from before sign-in is worthless");
}

#[tokio::test]
async fn a_disabled_operator_is_signed_out_and_refused_with_the_usual_answer_until_enabled() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let signed_in = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START, 6)).await;
    assert_eq!(signed_in.status(), 303);
    let token = cookie_token(&signed_in);
    assert!(ops.text("/ops").await.contains(OPERATOR), "signed in");
    let listed = app.store.list_operators().await.expect("the operators");
    assert_eq!(listed[0].last_sign_in_at, Some(START), "the sign-in is recorded at the app's clock");

    // What `huzhu operator disable` does.
    assert_eq!(
        huzhu_web::operator::set_disabled(&app.store, OPERATOR, true, START).await.expect("disables"),
        huzhu_store::operators::StateChange::Changed
    );
    assert_eq!(ops.get("/ops").await.headers()["location"], "/ops/login", "her open session has ended");

    // The right password and a fresh code: the same answer as a wrong password.
    app.clock.advance(30);
    let code = totp(START + 30, 6);
    let refused = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &code).await;
    assert_eq!(refused.status(), 200);
    let refused = refused.text().await.expect("a body");
    // Each failure makes the next try on the name wait 1, 2, 4 … seconds: wait out the first.
    app.clock.advance(1);
    let wrong = ops.sign_in_with(OPERATOR, "not her password", &code).await.text().await.expect("a body");
    let notice = "登入失敗：帳號、密碼或驗證碼不正確";
    assert!(refused.contains(notice) && wrong.contains(notice), "one answer for both");
    let filter = AuditFilter { event: Some("ops_sign_in"), ..AuditFilter::default() };
    let rows = app.store.search_audit(&filter, 10, 0).await.expect("the audit log");
    assert_eq!(
        rows.iter().filter(|r| r.outcome == "disabled").count(),
        1,
        "only the log tells why: {rows:?}"
    );
    let filter = AuditFilter { event: Some("ops_disable"), ..AuditFilter::default() };
    assert_eq!(app.store.search_audit(&filter, 10, 0).await.expect("the audit log").len(), 1);

    // Enabled again (after the 2-second wait the second failure set): the code tried while
    // disabled was not used up, and works now; the session from before stays ended.
    app.clock.advance(2);
    assert_eq!(
        huzhu_web::operator::set_disabled(&app.store, OPERATOR, false, START + 30).await.expect("enables"),
        huzhu_store::operators::StateChange::Changed
    );
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &code).await.status(), 303);
    let old = new_client()
        .get(app.url("/ops"))
        .header("cookie", format!("huzhu_ops={token}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(old.headers()["location"], "/ops/login", "the session from before disabling is gone");
}

/// The operator token a response sets.
fn cookie_token(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("huzhu_ops="))
        .expect("the operator cookie")
        .to_owned()
}

#[tokio::test]
async fn a_wrong_code_a_wrong_password_and_an_unknown_name_get_the_same_page() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let right = totp(START, 6);
    // A wrong code: the right one plus one, modulo a million.
    let wrong = format!("{:06}", (right.parse::<u32>().expect("digits") + 1) % 1_000_000);
    let mut pages = Vec::new();
    for (name, password, code) in [
        (OPERATOR, OPERATOR_PASSWORD, wrong.as_str()),
        (OPERATOR, "not the password at all", right.as_str()),
        ("ops.nobody", OPERATOR_PASSWORD, right.as_str()),
    ] {
        let response = ops.sign_in_with(name, password, code).await;
        assert_eq!(response.status(), 200);
        pages.push(response.text().await.expect("a body").replace(name, "<NAME>"));
        // The name's first failure makes the next attempt on it wait 1 s.
        app.clock.advance(1);
    }
    assert!(pages[0].contains("登入失敗"));
    assert_eq!(pages[0], pages[1]);
    assert_eq!(pages[1], pages[2]);
    // Two failures on the name: a wait of 2 s after the second (1 s doubled), 1 s of it gone.
    // START is a multiple of 30 (1,796,342,400 = 30 × 59,878,080), so START + 4 is in the same
    // step and the right code is still START's.
    app.clock.advance(1);
    // The wrong password did not use up the right code: it still works.
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &right).await.status(), 303);
}

#[tokio::test]
async fn a_missing_or_malformed_code_is_named_next_to_its_field() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let page = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, "").await.text().await.expect("a body");
    assert!(page.contains("請輸入驗證碼") && page.contains("id=\"code-error\""));
    let page = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, "12a456").await.text().await.expect("a body");
    assert!(page.contains("驗證碼是 6 位數字"));
}

#[tokio::test]
async fn operator_sign_in_pauses_after_five_failures_like_members() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    // Each failure on the name makes the next attempt wait 1, 2, 4, 8, 16 s; waited out here.
    for wait in [1, 2, 4, 8, 16] {
        ops.sign_in_with(OPERATOR, "not the password at all", "000000").await;
        app.clock.advance(wait);
    }
    // Paused (five failures within 15 minutes, at START + 15 the last): the right password and
    // a right code get the failure page. The clock is at START + 31 (1 + 2 + 4 + 8 + 16).
    let response = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START + 31, 6)).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("a body").contains("登入失敗"));
    let locks = app
        .store
        .search_audit(&AuditFilter { event: Some("ops_lock"), ..AuditFilter::default() }, 10, 0)
        .await
        .expect("the audit log reads");
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].operator.as_deref(), Some(OPERATOR));
    // 15 minutes later (START + 931, past the pause's end at START + 15 + 900 and the 32 s wait
    // of the sixth failure), a fresh code works.
    app.clock.advance(15 * 60);
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START + 931, 6)).await.status(), 303);
}

async fn audit_rows(app: &TestApp) -> usize {
    app.store.search_audit(&AuditFilter::default(), 1000, 0).await.expect("the audit log reads").len()
}

#[tokio::test]
async fn attempts_before_the_wait_is_over_cost_no_argon2_and_no_audit_row() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let right = totp(START, 6);
    ops.sign_in_with(OPERATOR, "not the password at all", &right).await;
    // The first failure: a wait of sign_in_delay_seconds = 1 s on the typed name.
    let (runs, rows) = (app.argon2_count(), audit_rows(&app).await);
    for _ in 0..20 {
        let page = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &right).await.text().await.expect("a body");
        assert!(page.contains("請於 1 秒後再試"), "told to wait 1 s");
    }
    assert_eq!(app.argon2_count(), runs, "no password was checked");
    assert_eq!(audit_rows(&app).await, rows, "no audit row was written");
    // An unknown name gets the same wait after its first failure: it tells nothing about names.
    ops.sign_in_with("ops.nobody", "not the password at all", &right).await;
    let page = ops.sign_in_with("ops.nobody", OPERATOR_PASSWORD, &right).await.text().await.expect("a body");
    assert!(page.contains("請於 1 秒後再試"));
    // Once the second is over, the right password and code sign in.
    app.clock.advance(1);
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &right).await.status(), 303);
}

#[tokio::test]
async fn a_flood_against_a_paused_operator_runs_argon2_only_once_per_wait() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    for wait in [1, 2, 4, 8, 16] {
        ops.sign_in_with(OPERATOR, "not the password at all", "000000").await;
        app.clock.advance(wait);
    }
    // Paused now. 100 attempts at once: the first is looked at (and fails) and sets a
    // wait of 32 s (1 s doubled five times), so the other 99 are answered without Argon2.
    let (runs, rows) = (app.argon2_count(), audit_rows(&app).await);
    for _ in 0..100 {
        ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(app.clock_now(), 6)).await;
    }
    assert_eq!(app.argon2_count(), runs + 1);
    assert_eq!(audit_rows(&app).await, rows + 1, "one row: the one attempt that was looked at");
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.text("/ops/login").await;
    let code = totp(START, 6);
    let response = ops
        .post(
            "/ops/login",
            &[("csrf", "forged"), ("username", OPERATOR), ("password", OPERATOR_PASSWORD), ("code", &code)],
        )
        .await;
    assert_eq!(response.status(), 403);
    ops.sign_in().await;
    let response = ops.post("/ops/content/notice", &[("title", "t"), ("body", "b")]).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_member_session_opens_no_operator_page_and_an_operator_session_no_member_page() {
    let app = app_with_operator().await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    assert_eq!(app.get("/member").await.status(), 200);
    for path in
        ["/ops", "/ops/content/notice", "/ops/preview", "/ops/accounts", "/ops/accounts/1", "/ops/audit"]
    {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path} with a member session");
        assert_eq!(response.headers()["location"], "/ops/login", "{path} with a member session");
    }

    let ops = Ops::new(&app);
    let response = ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START, 6)).await;
    let token = response.headers()["set-cookie"]
        .to_str()
        .expect("text")
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("huzhu_ops="))
        .expect("the operator cookie")
        .to_owned();
    for path in ["/member", "/member/ce", "/member/personal", "/member/account"] {
        assert_eq!(ops.get(path).await.headers()["location"], "/login", "{path} with an operator session");
        // Even the operator's token presented as a member cookie opens nothing.
        let forged = new_client()
            .get(app.url(path))
            .header("cookie", format!("huzhu_session={token}"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(
            forged.headers()["location"],
            "/login",
            "{path} with the operator token as a member cookie"
        );
    }
}

#[tokio::test]
async fn unlocking_lets_a_paused_member_sign_in_again_and_is_audited() {
    let app = app_with_operator().await;
    for n in 1..=5 {
        app.sign_in(NURSE_ID, "not her password at all", &format!("C{n:04}")).await;
        // Past the growing wait the n-th failure sets (1, 2, 4, 8, 16 s), so each one counts.
        app.clock.advance(1 << (n - 1));
    }
    // Paused: her right password gets the failure page (200, not the 303 of a sign-in).
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0006").await.status(), 200);

    let ops = Ops::new(&app);
    ops.sign_in().await;
    let found = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", NURSE_ID)]).await;
    assert_eq!(found.status(), 303);
    let account_page = found.headers()["location"].to_str().expect("text").to_owned();
    let page = ops.text(&account_page).await;
    // Paused until 15 minutes after the fifth failure, which came after waits of 1 + 2 + 4 + 8
    // = 15 s: START + 15 s + 900 s is 08:15:15 in Taiwan.
    assert!(page.contains("暫停至 2026-12-04 08:15:15"), "the page shows the pause");
    assert!(page.contains("F22*****86") && !page.contains(NURSE_ID), "the ID is shown masked");

    let unlocked = ops.submit(&account_page, &format!("{account_page}/unlock"), &[]).await;
    assert_eq!(unlocked.status(), 303);
    let after = unlocked.headers()["location"].to_str().expect("text").to_owned();
    let page = ops.text(&after).await;
    assert!(page.contains("已解除登入暫停") && page.contains("data-testid=\"lock\">正常<"));
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0007").await.status(), 303);

    for (event, outcome) in [("ops_account_find", "found"), ("ops_unlock", "succeeded")] {
        let rows = app
            .store
            .search_audit(&AuditFilter { event: Some(event), ..AuditFilter::default() }, 10, 0)
            .await
            .expect("the audit log reads");
        assert_eq!(rows.len(), 1, "one {event} record");
        assert_eq!(rows[0].outcome, outcome);
        assert_eq!(rows[0].operator.as_deref(), Some(OPERATOR));
        assert_eq!(rows[0].subject.as_deref(), Some("F22*****86"));
    }
}

#[tokio::test]
async fn an_unknown_or_malformed_id_is_answered_on_the_search_page() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    // A well-formed ID nobody has: F223456786 with the last digit changed is not valid, so
    // take A123456789, the textbook example, whose check digit is right.
    let page = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", "A123456789")]).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("a body").contains("查無此身分證字號的帳號"));
    let page = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", "F223456787")]).await;
    assert!(page.text().await.expect("a body").contains("id=\"id_number-error\""));
}

#[tokio::test]
async fn ending_a_members_sessions_signs_her_out() {
    let app = app_with_operator().await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    assert_eq!(app.get("/member").await.status(), 200);

    let ops = Ops::new(&app);
    ops.sign_in().await;
    let found = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", NURSE_ID)]).await;
    let account_page = found.headers()["location"].to_str().expect("text").to_owned();
    assert!(ops.text(&account_page).await.contains("data-testid=\"sessions\">1<"));
    let ended = ops.submit(&account_page, &format!("{account_page}/end-sessions"), &[]).await;
    assert_eq!(ended.status(), 303);
    assert!(ops.text(&account_page).await.contains("data-testid=\"sessions\">0<"));
    assert_eq!(app.get("/member").await.headers()["location"], "/login");
}

#[tokio::test]
async fn a_published_notice_reaches_the_member_home_page_on_its_first_day() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    // START is 2026-12-04 in Taiwan; ROC 115/12/05 is 2026-12-05 (1911 + 115 = 2026).
    let added = ops
        .submit(
            "/ops/content/notice",
            "/ops/content/notice",
            &[("title", "年度換照說明會"), ("body", "12 月 20 日於臺北舉行"), ("shown_from", "115/12/05")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let list = ops.text("/ops/content/notice").await;
    assert!(list.contains("年度換照說明會") && list.contains("2026-12-05 – …") && list.contains("尚未開始"));

    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    assert!(!app.get_text("/member").await.contains("年度換照說明會"), "not before its first day");
    let preview = ops.text("/ops/preview?date=2026-12-05").await;
    assert!(preview.contains("年度換照說明會"), "the preview of its first day shows it");

    // 16 hours later it is 2026-12-05 00:00 in Taiwan. Her session has ended by then (30
    // minutes idle), so she signs in again.
    app.clock.advance(16 * 3600);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0002").await.status(), 303);
    assert!(app.get_text("/member").await.contains("年度換照說明會"));

    let rows = app
        .store
        .search_audit(&AuditFilter { event: Some("ops_content_add"), ..AuditFilter::default() }, 10, 0)
        .await
        .expect("the audit log reads");
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].outcome.as_str(), rows[0].operator.as_deref()), ("notice", Some(OPERATOR)));
}

#[tokio::test]
async fn a_quote_replaces_the_home_page_quote_and_deleting_it_brings_the_old_one_back() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    // The test database has no quote: with exactly one in force, the quote of the day is it.
    let added = ops
        .submit(
            "/ops/content/quote",
            "/ops/content/quote",
            &[("text", "護理是一門藝術"), ("source", "南丁格爾")],
        )
        .await;
    assert_eq!(added.status(), 303);
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    assert!(app.get_text("/member").await.contains("護理是一門藝術"));

    let list = ops.text("/ops/content/quote").await;
    let action = list
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/delete"))
        .expect("a delete button")
        .to_owned();
    assert_eq!(ops.submit("/ops/content/quote", &action, &[]).await.status(), 303);
    assert!(!app.get_text("/member").await.contains("護理是一門藝術"));
}

#[tokio::test]
async fn bad_content_is_named_next_to_its_field_and_not_published() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let response = ops
        .submit(
            "/ops/content/link",
            "/ops/content/link",
            &[
                ("title", "惡意連結"),
                ("url", "javascript:alert(1)"),
                ("slot", "quick"),
                ("position", "1000"),
                ("shown_from", "2026-12-10"),
                ("shown_until", "2026-12-09"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("a body");
    assert!(page.contains("id=\"f-url-error\"") && page.contains("請輸入以 https:// 或 http:// 開頭的網址"));
    assert!(page.contains("id=\"f-position-error\"") && page.contains("請輸入 0 到 999 的整數"));
    assert!(page.contains("id=\"f-shown_until-error\"") && page.contains("最後顯示日不能早於開始顯示日"));
    assert!(
        page.contains("尚未儲存，請修正以下欄位") && !page.contains("登入未完成"),
        "a content form's summary"
    );
    let page = ops.submit("/ops/content/notice", "/ops/content/notice", &[("shown_from", "110/02/29")]).await;
    let page = page.text().await.expect("a body");
    assert!(page.contains("id=\"f-title-error\"") && page.contains("id=\"f-shown_from-error\""));
    assert!(
        app.store.list_content(huzhu_store::content::ContentKind::Link).await.expect("a list").is_empty()
    );
    assert!(
        app.store.list_content(huzhu_store::content::ContentKind::Notice).await.expect("a list").is_empty()
    );
}

#[tokio::test]
async fn the_audit_page_filters_by_event_days_and_account() {
    let app = app_with_operator().await;
    // A member sign-in (account 1) at START, 2026-12-04 in Taiwan.
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    let ops = Ops::new(&app);
    ops.sign_in().await;

    let page = ops.text("/ops/audit?event=sign_in&from=2026-12-04&to=2026-12-04&account=1").await;
    assert!(page.contains("<td>sign_in</td><td>succeeded</td><td>1</td><td>F22*****86</td>"));
    assert!(!page.contains("<td>ops_sign_in</td>"), "only the chosen event");
    // The day before has nothing; so has another account.
    let earlier = ops.text("/ops/audit?event=sign_in&from=2026-12-03&to=2026-12-03").await;
    assert!(earlier.contains("沒有符合的紀錄"));
    assert!(ops.text("/ops/audit?account=2").await.contains("沒有符合的紀錄"));
    // Bad filters are named, in the member's language.
    let bad = ops.text("/ops/audit?from=2026-13-01&account=abc").await;
    assert!(bad.contains("id=\"from-error\"") && bad.contains("id=\"account-error\""));

    let operator_rows = app
        .store
        .search_audit(&AuditFilter { event: Some("ops_sign_in"), ..AuditFilter::default() }, 10, 0)
        .await
        .expect("the audit log reads");
    assert_eq!(operator_rows.len(), 1);
    assert_eq!(
        (operator_rows[0].outcome.as_str(), operator_rows[0].operator.as_deref()),
        ("succeeded", Some(OPERATOR))
    );
}

#[tokio::test]
async fn the_operator_home_page_counts_mail_waiting_and_mail_given_up() {
    let relay =
        crate::smtp::MailServer::start_refusing(&[("gone@example.org", 550), ("busy@example.org", 451)]);
    let url = relay.url();
    let app = TestApp::spawn_with(move |config| {
        config.smtp_url = url;
        config.mail_poll_seconds = 1;
    })
    .await;
    add_operator(&app).await;
    let mut ids = Vec::new();
    for recipient in ["gone@example.org", "busy@example.org"] {
        let mail = huzhu_store::outbox::NewMail { recipient, subject: "s", text_body: "t", html_body: "h" };
        ids.push(app.store.enqueue_mail(&mail, START).await.expect("queued"));
    }
    // The server's sender looks at the outbox every second (real time): wait, at most 15 s,
    // until it has tried both. The 550 is given up; the 451 waits 60 s on the test's clock,
    // which does not move.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let mut tried = 0;
        for id in &ids {
            tried += app.store.mail_delivery(*id).await.expect("reads").map_or(0, |d| d.attempts.min(1));
        }
        if tried == 2 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let home = ops.text("/ops").await;
    assert!(home.contains("寄件匣中有 1 封郵件等待寄出。"), "{home}");
    assert!(home.contains("近 7 天放棄寄送 1 封：郵件伺服器永久拒收，或超過 72 小時仍未寄出。"), "{home}");
}

/// A browser whose user agent carries markup, quotes and an ampersand, and is longer than the
/// 40 characters the audit table shows.
const MARKUP_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) <b>\"Nurse\" & Co</b> Chrome/131.0.0.0";

#[tokio::test]
async fn the_audit_page_shows_the_user_agent_escaped_and_shortened_and_the_request_id() {
    let app = app_with_operator().await;
    let member = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(MARKUP_AGENT)
        .build()
        .expect("an HTTP client");
    let login = member.get(app.url("/login")).send().await.expect("an answer").text().await.expect("a body");
    member.get(app.url("/captcha")).send().await.expect("a captcha");
    let form = [
        ("csrf", csrf_of(&login)),
        ("id_number", NURSE_ID.to_owned()),
        ("password", NURSE_PASSWORD.to_owned()),
        ("captcha", "C0001".to_owned()),
    ];
    let signed_in = member.post(app.url("/login")).form(&form).send().await.expect("an answer");
    assert_eq!(signed_in.status(), 303);
    let request_id = signed_in.headers()["x-request-id"].to_str().expect("ASCII").to_owned();
    assert_eq!(request_id.len(), 16, "8 random bytes in hex");

    // The operator's own browser has a short agent (10 characters).
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("curl/8.5.0")
        .build()
        .expect("an HTTP client");
    let ops = Ops { app: &app, client };
    ops.sign_in().await;
    let page = ops.text("/ops/audit").await;

    // The first 40 characters, counted by hand: "Mozilla/5.0" (11) " (X11;" (17) " Linux" (23)
    // " x86_64)" (31) " <b>" (35) the quote (36) "Nurs" (40); then an ellipsis. The full text
    // opens under it. Escaped by askama's documented HTML table: < &#60;, > &#62;, " &#34;,
    // & &#38;.
    let summary = "<summary>Mozilla/5.0 (X11; Linux x86_64) &#60;b&#62;&#34;Nurs…</summary>";
    let full =
        "Mozilla/5.0 (X11; Linux x86_64) &#60;b&#62;&#34;Nurse&#34; &#38; Co&#60;/b&#62; Chrome/131.0.0.0";
    assert!(page.contains(&format!("<details>{summary}{full}</details>")), "{page}");
    assert!(!page.contains("<b>"), "no markup from the header reaches the page");
    assert!(page.contains(&format!("<code>{request_id}</code>")), "the sign-in's request ID");
    // A short agent is shown whole, with nothing to open.
    assert!(page.contains("<td class=\"ops-user-agent\">curl/8.5.0</td>"), "{page}");
}

#[tokio::test]
async fn changing_a_notices_last_day_ends_it_and_bad_days_are_named_at_the_item() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    ops.submit(
        "/ops/content/notice",
        "/ops/content/notice",
        &[("title", "系統維護公告"), ("body", "週六停機")],
    )
    .await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    assert!(app.get_text("/member").await.contains("系統維護公告"));

    let list = ops.text("/ops/content/notice").await;
    let action = list
        .split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/dates"))
        .expect("a dates form")
        .to_owned();
    // Last day before the first: refused next to the item, the typed days kept.
    let refused = ops
        .submit("/ops/content/notice", &action, &[("shown_from", "2026-12-04"), ("shown_until", "115/12/03")])
        .await;
    assert_eq!(refused.status(), 200);
    let page = refused.text().await.expect("a body");
    assert!(page.contains("最後顯示日不能早於開始顯示日") && page.contains("value=\"115/12/03\""));
    assert!(app.get_text("/member").await.contains("系統維護公告"), "nothing changed");

    // The last day yesterday (START is 2026-12-04 in Taiwan): members no longer see it.
    let changed = ops.submit("/ops/content/notice", &action, &[("shown_until", "2026-12-03")]).await;
    assert_eq!(changed.status(), 303);
    assert!(!app.get_text("/member").await.contains("系統維護公告"));
    assert!(ops.text("/ops/content/notice?done=dates").await.contains("已結束"));
    let rows = app
        .store
        .search_audit(&AuditFilter { event: Some("ops_content_dates"), ..AuditFilter::default() }, 10, 0)
        .await
        .expect("the audit log reads");
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn operator_failures_leave_the_members_address_count_alone() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    // Ten failures from 127.0.0.1 under ten names (so no name waits): address_delay_after is
    // 10, so the tenth sets a wait of 1 s on the operators' count of the address.
    for n in 0..10 {
        ops.sign_in_with(&format!("ops.guess{n}"), "not the password at all", "000000").await;
    }
    let now = app.clock_now();
    let ops_wait = app.store.not_before("ops:addr:127.0.0.1", now).await.expect("the table reads");
    assert_eq!(ops_wait, Some(now + 1));
    let members_wait = app.store.not_before("addr:127.0.0.1", now).await.expect("the table reads");
    assert_eq!(members_wait, None, "the nurses behind the same address are not made to wait");
    // A member's failure from that address is the members' count's first, not its eleventh.
    let limit = huzhu_store::throttle::Limit { threshold: 100, lock_seconds: 900 };
    let (count, _) =
        app.store.record_sign_in_failure("addr:127.0.0.1", now, limit).await.expect("the table writes");
    assert_eq!(count, 1);
    let page =
        ops.sign_in_with("ops.guess10", OPERATOR_PASSWORD, "000000").await.text().await.expect("a body");
    assert!(page.contains("請於 1 秒後再試"));
}

#[tokio::test]
async fn a_control_character_in_the_name_gets_the_failure_answer_and_in_content_a_message() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    let right = totp(START, 6);
    // The operator's own name with a NUL after it: not her name, and not looked up at all.
    for name in ["ops.chen\u{0}", "\u{0}", "ops.\u{1b}chen"] {
        let response = ops.sign_in_with(name, OPERATOR_PASSWORD, &right).await;
        assert_eq!(response.status(), 200, "{name:?}");
        let page = response.text().await.expect("a body");
        assert!(page.contains("登入失敗"), "{name:?} gets the failure answer");
        assert!(!page.contains('\u{0}') && !page.contains('\u{1b}'), "shown back without it");
        // Each is a name of its own with one failure: the next try on it would wait 1 s.
        app.clock.advance(1);
    }
    ops.sign_in().await;

    // A title with NUL, a body with an escape: named at each field. A body with a tab and CR LF
    // line breaks is fine.
    let page = ops
        .submit(
            "/ops/content/notice",
            "/ops/content/notice",
            &[("title", "年度\u{0}說明會"), ("body", "a\u{1b}[31m")],
        )
        .await
        .text()
        .await
        .expect("a body");
    assert!(page.contains("id=\"f-title-error\"") && page.contains("id=\"f-body-error\""));
    assert!(page.contains("含有控制字元"));
    let added = ops
        .submit(
            "/ops/content/notice",
            "/ops/content/notice",
            &[("title", "年度說明會"), ("body", "一\t二\r\n三")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let notices = app.store.list_content(huzhu_store::content::ContentKind::Notice).await.expect("a list");
    assert_eq!(notices.len(), 1, "only the clean notice is stored");

    // The audit page asked for an event with a NUL answers with an empty list.
    let response = ops.get("/ops/audit?event=sign_in%00").await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_link_address_needs_a_host_and_no_spaces_or_user_name() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let refused = [
        ("https://", "請輸入以 https:// 或 http:// 開頭的網址"),
        ("https://@", "請輸入以 https:// 或 http:// 開頭的網址"),
        ("https:// example.org", "請輸入以 https:// 或 http:// 開頭的網址"),
        ("https://moh.gov.tw@example.org/", "請輸入以 https:// 或 http:// 開頭的網址"),
        ("ftp://example.org/", "請輸入以 https:// 或 http:// 開頭的網址"),
        ("https://example.org/\na", "含有控制字元"),
        ("https://exa\u{0}mple.org/", "含有控制字元"),
    ];
    for (url, message) in refused {
        let fields = [("title", "連結"), ("url", url), ("slot", "quick")];
        let response = ops.submit("/ops/content/link", "/ops/content/link", &fields).await;
        assert_eq!(response.status(), 200, "{url:?}");
        let page = response.text().await.expect("a body");
        assert!(page.contains("id=\"f-url-error\"") && page.contains(message), "{url:?}");
    }
    let none = app.store.list_content(huzhu_store::content::ContentKind::Link).await.expect("a list");
    assert!(none.is_empty());
    let fields = [("title", "衛福部"), ("url", "https://www.mohw.gov.tw/"), ("slot", "quick")];
    assert_eq!(ops.submit("/ops/content/link", "/ops/content/link", &fields).await.status(), 303);
}

/// RFC 4648 base32 (no padding), decoded by hand for the test: each symbol is 5 bits.
fn base32_decode(text: &str) -> Vec<u8> {
    const SYMBOLS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u32, Vec::new());
    for symbol in text.bytes() {
        let index = SYMBOLS.iter().position(|&s| s == symbol).expect("a base32 symbol");
        value = (value << 5) | u32::try_from(index).expect("small");
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((value >> bits) & 0xff).expect("a byte"));
        }
    }
    out
}

#[tokio::test]
async fn a_lost_authenticator_is_replaced_the_old_codes_stop_and_her_sessions_end() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START, 6)).await.status(), 303);

    let enrolment = huzhu_web::operator::reenrol(&app.store, OPERATOR, START + 5, None)
        .await
        .expect("re-enrolled")
        .expect("a known operator");
    assert_ne!(enrolment.secret_base32, RFC_KEY_BASE32);
    // Her session ended with the old key.
    assert_eq!(ops.get("/ops").await.headers()["location"], "/ops/login");

    // A code of the old key, of the next step, is refused; the new key's code of that step works.
    app.clock.advance(30);
    let old_code = totp(START + 30, 6);
    let new_key = base32_decode(&enrolment.secret_base32);
    assert_eq!(new_key.len(), 20, "160 bits");
    let new_code = hotp(&new_key, ((START + 30) / 30) as u64, 6);
    if old_code != new_code {
        assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &old_code).await.status(), 200);
        app.clock.advance(1);
    }
    assert_eq!(ops.sign_in_with(OPERATOR, OPERATOR_PASSWORD, &new_code).await.status(), 303);

    let filter = AuditFilter { event: Some("ops_reenrol"), ..AuditFilter::default() };
    let rows = app.store.search_audit(&filter, 10, 0).await.expect("the audit log");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].operator.as_deref(), Some(OPERATOR));
    assert!(
        huzhu_web::operator::reenrol(&app.store, "nobody", START, None).await.expect("checked").is_none()
    );
}

#[tokio::test]
async fn with_a_pepper_the_totp_key_is_sealed_in_the_database_and_still_signs_in() {
    let pepper_hex = "a7".repeat(32);
    let app = TestApp::spawn_with(|config| config.password_pepper = Some(pepper_hex.clone())).await;
    let pepper = huzhu_web::password::Pepper::from_hex(&pepper_hex).expect("a pepper");
    let sealed = huzhu_web::operator::seal_totp_key(RFC_KEY_BASE32, Some(&pepper)).expect("sealed");
    // 32 symbols + 16 bytes of tag, in hex, after the 12-byte nonce: no trace of the key.
    assert!(sealed.starts_with("sealed:v1:") && !sealed.contains(RFC_KEY_BASE32), "{sealed}");
    assert_eq!(sealed.len(), "sealed:v1:".len() + 24 + 1 + (32 + 16) * 2);
    let other = huzhu_web::password::Pepper::from_hex(&"b8".repeat(32)).expect("a pepper");
    assert!(huzhu_web::operator::open_totp_key(&sealed, Some(&other)).is_err());
    assert!(huzhu_web::operator::open_totp_key(&sealed, None).is_err());
    let opened = huzhu_web::operator::open_totp_key(&sealed, Some(&pepper)).expect("opened");
    assert_eq!(opened, RFC_KEY_BASE32);

    let hash =
        huzhu_web::password::hash_peppered(OPERATOR_PASSWORD.to_owned(), Some(pepper)).await.expect("a hash");
    app.store.create_operator(OPERATOR, &hash, &sealed, START).await.expect("an operator");
    let stored = app.store.find_operator(OPERATOR).await.expect("a lookup").expect("the operator");
    assert!(!stored.totp_secret.contains(RFC_KEY_BASE32));
    // The RFC key's code, computed by the test's own HOTP, signs her in.
    assert_eq!(Ops::new(&app).sign_in_with(OPERATOR, OPERATOR_PASSWORD, &totp(START, 6)).await.status(), 303);
}

/// The subjects of the audit records of `event`, oldest first.
async fn subjects(app: &TestApp, event: &str) -> Vec<String> {
    let filter = AuditFilter { event: Some(event), ..AuditFilter::default() };
    let mut rows = app.store.search_audit(&filter, 50, 0).await.expect("the audit log reads");
    rows.reverse();
    rows.into_iter().map(|row| row.subject.unwrap_or_default()).collect()
}

/// The action of the first form on `page` whose address ends with `suffix`.
fn form_action(page: &str, suffix: &str) -> String {
    page.split("action=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with(suffix))
        .expect("a form")
        .to_owned()
}

#[tokio::test]
async fn content_changes_name_their_item_and_dates_in_the_audit_log() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let added = ops
        .submit(
            "/ops/content/notice",
            "/ops/content/notice",
            &[("title", "系統維護公告"), ("body", "週六停機"), ("shown_from", "115/12/05")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let dates = form_action(&ops.text("/ops/content/notice").await, "/dates");
    // /ops/content/notice/<id>/dates
    let id = dates.split('/').nth(4).expect("the item's number").to_owned();
    // ROC 115/12/05 is 2026-12-05 (1911 + 115); no last day is written "-".
    assert_eq!(
        subjects(&app, "ops_content_add").await,
        [format!("notice {id}「系統維護公告」 2026-12-05..-")]
    );

    assert_eq!(
        ops.submit("/ops/content/notice", &dates, &[("shown_until", "2026-12-31")]).await.status(),
        303
    );
    assert_eq!(
        subjects(&app, "ops_content_dates").await,
        [format!("notice {id}「系統維護公告」 -..2026-12-31")]
    );

    let delete = form_action(&ops.text("/ops/content/notice").await, "/delete");
    assert_eq!(ops.submit("/ops/content/notice", &delete, &[]).await.status(), 303);
    assert_eq!(
        subjects(&app, "ops_content_delete").await,
        [format!("notice {id}「系統維護公告」 -..2026-12-31")]
    );

    // A quote of 35 characters (3 × 10 + 5) keeps its first 30 and an ellipsis.
    let text = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十甲乙丙丁戊";
    assert_eq!(text.chars().count(), 35);
    ops.submit("/ops/content/quote", "/ops/content/quote", &[("text", text), ("source", "某人")]).await;
    let quote = form_action(&ops.text("/ops/content/quote").await, "/delete");
    let quote_id = quote.split('/').nth(4).expect("the item's number").to_owned();
    let first_30: String = text.chars().take(30).collect();
    assert_eq!(first_30, "一二三四五六七八九十".repeat(3));
    assert_eq!(subjects(&app, "ops_content_add").await[1], format!("quote {quote_id}「{first_30}…」 -..-"));
}

#[tokio::test]
async fn opening_an_account_and_reading_the_log_are_audited_and_bad_filters_named() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let found = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", NURSE_ID)]).await;
    let account_page = found.headers()["location"].to_str().expect("text").to_owned();
    let account_id: i64 = account_page.rsplit('/').next().expect("a number").parse().expect("digits");
    assert!(subjects(&app, "ops_account_view").await.is_empty(), "finding is not opening");
    assert_eq!(ops.get(&account_page).await.status(), 200);
    let filter = AuditFilter { event: Some("ops_account_view"), ..AuditFilter::default() };
    let views = app.store.search_audit(&filter, 10, 0).await.expect("the audit log reads");
    assert_eq!(views.len(), 1);
    // F223456786 masked as the rest of the log shows it: 3 characters, 5 stars, the last 2.
    assert_eq!(
        (views[0].account_id, views[0].subject.as_deref(), views[0].operator.as_deref()),
        (Some(account_id), Some("F22*****86"), Some(OPERATOR))
    );

    let read = ops.text("/ops/audit?event=sign_in&from=2026-12-04&to=115/12/04&account=1").await;
    assert!(!read.contains("error-text"), "good filters");
    assert_eq!(
        subjects(&app, "ops_audit_view").await,
        ["event=sign_in from=2026-12-04 to=115/12/04 account=1 page=1"]
    );

    // The last day before the first, and account numbers that no account has, are named next
    // to their fields instead of finding nothing, and are no read of the log.
    let backwards = ops.text("/ops/audit?from=2026-12-05&to=2026-12-04").await;
    assert!(
        backwards.contains("id=\"to-error\"") && backwards.contains("結束日不能早於開始日"),
        "{backwards}"
    );
    for account in ["-3", "0", "1.5", "abc"] {
        let page = ops.text(&format!("/ops/audit?account={account}")).await;
        assert!(
            page.contains("id=\"account-error\"") && page.contains("帳號號碼須為 1 以上的整數"),
            "{account}"
        );
    }
    assert_eq!(subjects(&app, "ops_audit_view").await.len(), 1);
}

#[tokio::test]
async fn the_preview_says_an_empty_day_means_today() {
    let app = app_with_operator().await;
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let page = ops.text("/ops/preview?date=").await;
    assert!(page.contains("空白表示今天") && !page.contains("空白表示不限"));
    // START is 2026-12-04 in Taiwan: the empty day shows it.
    assert!(page.contains("value=\"2026-12-04\""));
}

#[tokio::test]
async fn a_taken_account_is_removed_after_a_reason_and_a_confirmation_and_the_person_stays() {
    let app = app_with_operator().await;
    assert_eq!(app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await.status(), 303);
    let ops = Ops::new(&app);
    ops.sign_in().await;
    let found = ops.submit("/ops/accounts", "/ops/accounts", &[("id_number", NURSE_ID)]).await;
    let account_page = found.headers()["location"].to_str().expect("text").to_owned();
    let account_id: i64 = account_page.rsplit('/').next().expect("a number").parse().expect("digits");
    let person_id = app.store.person_of_account(account_id).await.expect("reads").expect("her person");
    let remove = format!("{account_page}/remove");
    assert!(ops.text(&account_page).await.contains(&format!("href=\"{remove}\"")));

    // No reason: named next to the field, nothing removed.
    let missing = ops.submit(&remove, &remove, &[("reason", "  "), ("confirm", "yes")]).await;
    assert_eq!(missing.status(), 200);
    let page = missing.text().await.expect("a body");
    assert!(page.contains("id=\"reason-error\"") && page.contains("請填寫刪除此帳號的原因"), "{page}");
    // A reason without the confirmation: the page asks, nothing removed.
    let reason = "他人冒名註冊；F223456786 本人已臨櫃確認";
    let asked = ops.submit(&remove, &remove, &[("reason", reason)]).await;
    let page = asked.text().await.expect("a body");
    assert!(
        page.contains("data-testid=\"remove-confirm\"") && page.contains("name=\"confirm\" value=\"yes\"")
    );
    // Without the session's CSRF token the confirmation is refused.
    let forged = ops.post(&remove, &[("csrf", "forged"), ("reason", reason), ("confirm", "yes")]).await;
    assert_ne!(forged.status(), 303);
    assert!(app.store.account_overview(account_id).await.expect("reads").is_some(), "still there");

    let done = ops.submit(&remove, &remove, &[("reason", reason), ("confirm", "yes")]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/ops/accounts?done=removed");
    assert!(ops.text("/ops/accounts?done=removed").await.contains("帳號已刪除，本人可以重新註冊。"));
    assert!(app.store.account_overview(account_id).await.expect("reads").is_none());
    assert_eq!(app.get("/member").await.headers()["location"], "/login", "her session ended");
    // The registry person stays, and so does the audit log of the account.
    assert_eq!(app.store.person_keys().await.expect("reads").get(NURSE_ID), Some(&person_id));
    let filter = AuditFilter { account_id: Some(account_id), ..AuditFilter::default() };
    let rows = app.store.search_audit(&filter, 50, 0).await.expect("the audit log reads");
    assert!(rows.iter().any(|row| row.event == "sign_in"), "her sign-in is still recorded");
    let removal = rows.iter().find(|row| row.event == "ops_account_remove").expect("the removal record");
    // The ID typed in the reason is masked like the subject's: 3 characters, 5 stars, 2.
    assert_eq!(removal.subject.as_deref(), Some("F22*****86; 他人冒名註冊；F22*****86 本人已臨櫃確認"));
    assert_eq!(removal.operator.as_deref(), Some(OPERATOR));
}
