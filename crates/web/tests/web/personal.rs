//! 更多個人資料, the resume PDF and its verification page.

use std::process::Command;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use huzhu_core::id::IdNumber;
use huzhu_core::registry::{EventKind, Learning, LicenceEvent, Person};
use huzhu_store::accounts::NewAccount;

use crate::helpers::{NURSE_ID, NURSE_NAME, NURSE_PASSWORD, START, TestApp, csrf_of, hand_made_nurse};

/// The showcase midwife's ID (check digit worked out in crates/demo/src/showcase.rs).
const OTHER_ID: &str = "B200456784";
const OTHER_PASSWORD: &str = "another long pass phrase";

/// Adds a second member, a copy of the hand-made nurse under another ID and `name`.
async fn add_member(app: &TestApp, name: &str) {
    add_member_with(app, name, |_| {}).await;
}

async fn add_member_with(app: &TestApp, name: &str, adjust: impl FnOnce(&mut Person)) {
    let mut person = hand_made_nurse();
    person.id_number = IdNumber::parse(OTHER_ID).expect("a valid ID");
    person.name = name.to_owned();
    person.email = "other@example.org".to_owned();
    // Numbers are unique in the registry: give hers their own.
    for c in &mut person.certificates {
        c.number = "衛部護字第000002號".to_owned();
    }
    for l in &mut person.licences {
        l.certificate_number = "衛部護字第000002號".to_owned();
        l.number = "北市護執字第0000002號".to_owned();
    }
    adjust(&mut person);
    let keys = app.store.next_keys().await.expect("keys");
    app.store.insert_people(&[person], keys).await.expect("she loads");
    let hash = huzhu_web::password::hash(OTHER_PASSWORD.to_owned()).await.expect("a hash");
    app.store
        .create_account(&NewAccount {
            person_id: keys.person_id,
            email: "other@example.org",
            password_hash: &hash,
            policy_version: 1,
            created_at: START - 86_400,
            verified_at: Some(START - 86_000),
        })
        .await
        .expect("her account");
}

async fn sign_in_nurse(app: &TestApp) {
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    assert_eq!(response.status(), 303);
}

async fn sign_in_other(app: &TestApp, captcha: &str) {
    let response = app.sign_in(OTHER_ID, OTHER_PASSWORD, captcha).await;
    assert_eq!(response.status(), 303);
}

/// Downloads a resume from the personal page's form.
async fn download(app: &TestApp, language: &str) -> reqwest::Response {
    let page = app.get_text("/member/personal").await;
    app.post_form("/member/personal/resume", &[("csrf", &csrf_of(&page)), ("language", language)]).await
}

pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("resume.pdf");
    std::fs::write(&path, pdf).expect("written");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (Debian poppler-utils, installed by scripts/install-test-deps)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The verification code printed in the PDF text: four groups of four after 驗證碼：.
pub fn code_in(text: &str) -> String {
    let start = text.find("驗證碼：").expect("the code is printed") + "驗證碼：".len();
    text[start..].chars().take(19).collect()
}

#[tokio::test]
async fn the_page_shows_her_data_worked_out_by_hand() {
    let app = TestApp::spawn().await;
    sign_in_nurse(&app).await;
    let home = app.get_text("/member").await;
    assert!(home.contains("href=\"/member/personal\""), "the home page links to 更多個人資料");

    let page = app.get_text("/member/personal").await;
    assert!(page.contains(NURSE_NAME));
    // F223456786 masked in positions 4–8: F22*****86; the full number only when asked.
    assert!(page.contains("F22*****86"));
    assert!(!page.contains(NURSE_ID));
    assert!(app.get_text("/member/personal?show_id=1").await.contains(NURSE_ID));
    // Certificate issued 2015-05-30 = ROC 104.
    assert!(page.contains("衛部護字第000001號") && page.contains("104年05月30日"));
    assert!(page.contains("北市護執字第0000001號") && page.contains("臺北市政府衛生局"));
    assert!(page.contains("臺北市立聯合醫院"));
    // Due 2027-05-31 = ROC 116, with the Gregorian date beside it.
    assert!(page.contains("116年05月31日（<time datetime=\"2027-05-31\">2027-05-31</time>）"));
    // Today 2026-12-04 to 2027-05-31: 27 (rest of December) + 31 + 28 + 31 + 30 + 31 = 178 days.
    assert!(page.contains("尚有 178 天"), "days left");
    // Six months before the due date: 2026-11-30 = ROC 115.
    assert!(page.contains("115年11月30日"));
    // Timeline: registered 2015-09-01 (ROC 104), renewed 2021-03-01 (ROC 110).
    assert!(page.contains("104年09月01日</time> <strong>登記</strong>"));
    assert!(page.contains("110年03月01日</time> <strong>更新</strong>"));
    // The CE figure of helpers::hand_made_nurse, and its learning record: 120 + 200 + 160 =
    // 480 minutes in 3 courses.
    assert!(page.contains("10.40 / 120.00"));
    assert!(page.contains("3 堂，共計 8 小時 0 分鐘"));
    assert!(page.contains("href=\"/member/ce\""));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    let response = app.get("/member/personal").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login");
}

#[tokio::test]
async fn the_resume_is_a_small_pdf_with_her_name_outside_the_bmp() {
    let app = TestApp::spawn().await;
    add_member(&app, "李\u{20BB7}芳").await;
    sign_in_other(&app, "C0001").await;
    let started = Instant::now();
    let response = download(&app, "zh-Hant-TW").await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["cache-control"], "no-store");
    // 履歷_李𠮷芳.pdf in UTF-8, percent-encoded byte by byte.
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"resume.pdf\"; filename*=UTF-8''%E5%B1%A5%E6%AD%B7_%E6%9D%8E%F0%A0%AE%B7%E8%8A%B3.pdf"
    );
    let pdf = response.bytes().await.expect("the PDF");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 300 * 1024, "{} bytes", pdf.len());
    println!("resume: {} bytes in {elapsed:?}", pdf.len());
    let text = pdf_text(&pdf);
    assert!(text.contains("李\u{20BB7}芳"), "{text}");
    assert!(text.contains("北市護執字第0000002號"));
    assert!(text.contains("116年05月31日"));
    assert!(text.contains("10.40 / 120.00"));
    assert!(text.contains("登記") && text.contains("更新"));
}

#[tokio::test]
async fn an_english_resume_and_a_name_in_the_fallback_font() {
    let app = TestApp::spawn().await;
    // 𪛖 (U+2A6D6) is not in Noto Sans CJK: it must come from the fallback font.
    add_member(&app, "李\u{2A6D6}芳").await;
    sign_in_other(&app, "C0001").await;
    let response = download(&app, "en").await;
    assert_eq!(response.status(), 200);
    let text = pdf_text(&response.bytes().await.expect("the PDF"));
    assert!(text.contains("李\u{2A6D6}芳"), "{text}");
    assert!(text.contains("Personal resume") && text.contains("Renewal due"));
    assert!(text.contains("2027-05-31"));
}

#[tokio::test]
async fn an_employer_verifies_a_resume_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    add_member(&app, "李\u{20BB7}芳").await;
    sign_in_other(&app, "C0001").await;
    let pdf = download(&app, "zh-Hant-TW").await.bytes().await.expect("the PDF");
    let code = code_in(&pdf_text(&pdf));

    let employer = reqwest::Client::new();
    let page = employer.get(app.url(&format!("/verify/{code}"))).send().await.expect("answered");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("a page");
    assert!(page.contains("此份履歷為本系統核發"));
    // 李𠮷芳 masked: first and last kept.
    assert!(page.contains("李○芳") && !page.contains("李\u{20BB7}芳"));
    assert!(page.contains("北市護執字第0000002號"));
    assert!(page.contains("其執業執照今日仍有效"));
    assert!(!page.contains(OTHER_ID) && !page.contains("B20*****84"), "no ID number");
    // Typed in lower case without dashes, it is the same code.
    let typed = code.replace('-', "").to_lowercase();
    let again = employer.get(app.url(&format!("/verify/{typed}"))).send().await.expect("answered");
    assert_eq!(again.status(), 200);

    // She sees it in her list and revokes it.
    let mine = app.get_text("/member/personal").await;
    let hint = format!("{}-…", &code[..4]);
    assert!(mine.contains(&hint));
    let resume_id =
        mine.split("name=\"resume_id\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("an id");
    let revoked = app
        .post_form("/member/personal/resume/revoke", &[("csrf", &csrf_of(&mine)), ("resume_id", resume_id)])
        .await;
    assert_eq!(revoked.status(), 303);
    let page = employer.get(app.url(&format!("/verify/{code}"))).send().await.expect("answered");
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("a page");
    assert!(page.contains("此份履歷已由本人撤銷"));
    assert!(!page.contains("北市護執字"), "a revoked resume shows nothing of its facts");

    let unknown = employer.get(app.url("/verify/0000-0000-0000-0000")).send().await.expect("answered");
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.expect("a page").contains("查無此驗證碼"));
    let junk = employer.get(app.url("/verify/%3Cscript%3E")).send().await.expect("answered");
    assert_eq!(junk.status(), 404);
}

#[tokio::test]
async fn a_member_cannot_reach_or_revoke_another_members_resume() {
    let app = TestApp::spawn().await;
    add_member(&app, "李\u{20BB7}芳").await;
    sign_in_other(&app, "C0001").await;
    let pdf = download(&app, "zh-Hant-TW").await.bytes().await.expect("the PDF");
    let code = code_in(&pdf_text(&pdf));
    let hers = app.get_text("/member/personal").await;
    let resume_id = hers
        .split("name=\"resume_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an id")
        .to_owned();

    // She signs out; the nurse signs in on the same client and tries the other's id.
    let signed_out = app.post_form("/logout", &[("csrf", &csrf_of(&hers))]).await;
    assert_eq!(signed_out.status(), 303);
    sign_in_nurse_with(&app, "C0002").await;
    let mine = app.get_text("/member/personal").await;
    assert!(mine.contains(NURSE_NAME) && !mine.contains("李\u{20BB7}芳"));
    assert!(!mine.contains(&code[..4]), "her list has none of the other's resumes");
    let response = app
        .post_form("/member/personal/resume/revoke", &[("csrf", &csrf_of(&mine)), ("resume_id", &resume_id)])
        .await;
    assert_eq!(response.status(), 303);
    let page = reqwest::get(app.url(&format!("/verify/{code}")))
        .await
        .expect("answered")
        .text()
        .await
        .expect("a page");
    assert!(page.contains("此份履歷為本系統核發"), "still valid: only its holder can revoke it");
    // No URL takes a person: these are not routes.
    for path in ["/member/personal/2", "/member/personal?person_id=2", "/member/personal/resume/2"] {
        let body = app.get_text(path).await;
        assert!(!body.contains("李\u{20BB7}芳"), "{path}");
    }
    // A form without the session's CSRF token is refused.
    let forged = app.post_form("/member/personal/resume", &[("csrf", "forged"), ("language", "en")]).await;
    assert_eq!(forged.status(), 403);
}

async fn sign_in_nurse_with(app: &TestApp, captcha: &str) {
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, captcha).await;
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn names_with_markup_quotes_and_line_breaks_stay_inert() {
    let app = TestApp::spawn().await;
    let name = "<script>alert(\"x\")</script>\n'王'; filename=evil.exe";
    add_member(&app, name).await;
    sign_in_other(&app, "C0001").await;
    let page = app.get_text("/member/personal").await;
    assert!(!page.contains("<script>alert"), "escaped in the page");
    assert!(page.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;"));
    let response = download(&app, "zh-Hant-TW").await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"].to_str().expect("ASCII").to_owned();
    // Everything outside attr-char is percent-encoded: <, ", \n, ', ;, space, = and the CJK.
    assert!(disposition.starts_with("attachment; filename=\"resume.pdf\"; filename*=UTF-8''"));
    let encoded = disposition.rsplit("''").next().expect("the encoded name");
    assert!(!encoded.contains([';', '"', '\n', ' ', '=', '<', '\'']), "{encoded}");
    assert!(encoded.contains("%3Cscript%3Ealert%28%22x%22%29%3C%2Fscript%3E%0A%27"), "{encoded}");
    let text = pdf_text(&response.bytes().await.expect("the PDF"));
    // The line break became a space; the rest is plain text.
    assert!(text.contains("<script>alert(\"x\")</script> '王'; filename=evil.exe"), "{text}");
}

#[tokio::test]
async fn downloads_and_verifications_are_rate_limited() {
    let app = TestApp::spawn_with(|config| {
        config.resume_downloads_per_hour = 2;
        config.verify_requests_per_minute = 3;
    })
    .await;
    sign_in_nurse(&app).await;
    assert_eq!(download(&app, "en").await.status(), 200);
    assert_eq!(download(&app, "en").await.status(), 200);
    let third = download(&app, "en").await;
    assert_eq!(third.status(), 429);
    assert!(third.text().await.expect("a page").contains("每小時最多 2 次"));
    // The next hour the count starts again (the session has timed out by then: sign in again).
    app.clock.advance(3600);
    sign_in_nurse_with(&app, "C0002").await;
    assert_eq!(download(&app, "en").await.status(), 200);

    for _ in 0..3 {
        assert_eq!(app.get("/verify/0000-0000-0000-0000").await.status(), 404);
    }
    let limited = app.get("/verify/0000-0000-0000-0000").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.text().await.expect("a page").contains("查驗次數過多"));
}

#[tokio::test]
async fn a_long_history_still_makes_a_small_resume() {
    let app = TestApp::spawn().await;
    // 40 years of events (a suspension and a resumption each year) and 300 online courses.
    add_member_with(&app, "李\u{20BB7}芳", |person| {
        let start = NaiveDate::from_ymd_opt(1986, 1, 10).expect("a date");
        let licence = &mut person.licences[0];
        for year in 0..40u64 {
            let day = start.checked_add_days(Days::new(year * 365)).expect("a date");
            let later = day.checked_add_days(Days::new(90)).expect("a date");
            licence.events.push(LicenceEvent {
                kind: EventKind::Suspended,
                date: day,
                note: Some("育嬰留職停薪".to_owned()),
            });
            licence.events.push(LicenceEvent { kind: EventKind::Resumed, date: later, note: None });
        }
        for i in 0..300u64 {
            let completed_on = start.checked_add_days(Days::new(i * 40)).expect("a date");
            person.learning.push(Learning {
                course: format!("線上課程第{i}講：感染管制與病人安全"),
                minutes: 50,
                completed_on,
            });
        }
    })
    .await;
    sign_in_other(&app, "C0001").await;
    let started = Instant::now();
    let response = download(&app, "zh-Hant-TW").await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    let pdf = response.bytes().await.expect("the PDF");
    println!("long history resume: {} bytes in {elapsed:?} (debug build)", pdf.len());
    assert!(pdf.len() < 300 * 1024, "{} bytes", pdf.len());
    let text = pdf_text(&pdf);
    assert!(text.contains("線上課程第0講") && text.contains("線上課程第299講"));
    // 2 + 80 events and 303 courses do not fit on one page: pages are separated by form feeds.
    assert!(text.matches('\u{c}').count() >= 4);
}
