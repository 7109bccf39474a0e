//! 社群專區: the member home page with her own figures.

use crate::helpers::{NURSE_ID, NURSE_PASSWORD, TestApp};

async fn signed_in_home(app: &TestApp) -> String {
    let response = app.sign_in(NURSE_ID, NURSE_PASSWORD, "C0001").await;
    assert_eq!(response.status(), 303);
    app.get_text("/member").await
}

#[tokio::test]
async fn the_home_page_shows_the_figures_worked_out_by_hand() {
    let app = TestApp::spawn().await;
    let page = signed_in_home(&app).await;
    // See helpers::hand_made_nurse for the arithmetic.
    assert!(page.contains("10.40 / 120.00"), "points");
    assert!(page.contains("尚差 109.60 點"), "missing total");
    assert!(page.contains("品質、倫理、法規課程合計尚差 7.40 點"), "missing categories 2–4");
    assert!(!page.contains("尚缺感染管制課程"));
    assert!(!page.contains("尚缺性別議題課程"));
    // Due 2027-05-31 = ROC 116; the window ends the day before, 2027-05-30.
    assert!(page.contains("116年05月31日"), "licence validity in ROC form");
    assert!(page.contains("須於 116年05月30日 以前取得"));
    // Applications open six months before the due date: 2026-11-30 = ROC 115.
    assert!(page.contains("115年11月30日"));
    assert!(page.contains("計算期間：110年05月31日 至 116年05月30日"));
    assert!(page.contains("臺北市立聯合醫院"));
    assert!(page.contains(">執業<") || page.contains("</span>執業</p>"), "practice status");
    // 120 + 200 + 160 = 480 minutes = 8 h 0 min in 3 courses.
    assert!(page.contains("3 堂，共計 8 小時 0 分鐘"));
}

#[tokio::test]
async fn the_home_page_has_every_block_of_the_manual() {
    let app = TestApp::spawn().await;
    let page = signed_in_home(&app).await;
    for label in [
        "衛生福利部護理及健康照護司",
        "Department of Nursing and Health Care, Ministry of Health and Welfare",
        "登出",
        "護+助起來",
        "創造安心護理助產執業環境 提供優質健康照護服務",
        "社群專區 | Network",
        "現在位置：",
        "社群專區",
        "歡迎回來，<span lang=\"zh-Hant-TW\">林𠀋華</span>",
        "每天來點正能量",
        "影音推薦",
        "執照效期",
        "執業機構",
        "積分目前得分 / 積分換照需要分數",
        "線上學習履歷",
        "快速連結",
    ] {
        assert!(page.contains(label), "the home page lacks {label}");
    }
}

#[tokio::test]
async fn the_home_page_is_available_in_english() {
    let app = TestApp::spawn().await;
    signed_in_home(&app).await;
    let switch = app.get("/lang?to=en&next=/member").await;
    assert_eq!(switch.status(), 303);
    assert_eq!(switch.headers()["location"], "/member");
    let page = app.get_text("/member").await;
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("Welcome back, <span lang=\"zh-Hant-TW\">林𠀋華</span>"));
    // Dates are Gregorian in English: due 2027-05-31.
    assert!(page.contains("31 May 2027"));
    assert!(page.contains("10.40 / 120.00"));
    assert!(page.contains("3 courses, 8 h 0 min in all"));
}

#[tokio::test]
async fn the_language_switch_only_returns_to_pages_of_this_site() {
    let app = TestApp::spawn().await;
    for next in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let response = app.get(&format!("/lang?to=en&next={}", urlencode(next))).await;
        assert_eq!(response.headers()["location"], "/", "{next}");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn a_name_with_markup_quotes_and_line_breaks_stays_inert() {
    let app = TestApp::spawn().await;
    let mut person = crate::helpers::hand_made_nurse();
    person.id_number = huzhu_core::id::IdNumber::parse("T100000007").expect("a valid ID");
    person.name = "<script>alert(1)</script>\"'\n&amp;".to_owned();
    person.certificates[0].number = "衛部護字第000002號".to_owned();
    person.licences[0].certificate_number = "衛部護字第000002號".to_owned();
    person.licences[0].number = "北市護執字第0000002號".to_owned();
    app.add_member(person, "another long password").await;

    let response = app.sign_in("T100000007", "another long password", "C0001").await;
    assert_eq!(response.status(), 303);
    let page = app.get_text("/member").await;
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;\n&amp;amp;"));
}

#[tokio::test]
async fn new_home_page_content_shows_within_a_minute() {
    let app = TestApp::spawn().await;
    let before = signed_in_home(&app).await;
    let quote = "護理是一門藝術，也是一門科學。";
    assert!(!before.contains(quote));

    app.store
        .add_content(&huzhu_store::content::NewContent::Quote { text: quote, source: "測試" })
        .await
        .expect("a quote");
    // Read once a minute (CONTENT_CACHE_SECONDS): 59 s later the page still has the old content.
    app.clock.advance(59);
    assert!(!app.get_text("/member").await.contains(quote));
    // At 60 s it is read again; the only quote in force is the quote of every day.
    app.clock.advance(1);
    assert!(app.get_text("/member").await.contains(quote));
}
