//! Documents made with the Debian fonts the project installs (scripts/install-test-deps), read
//! back with poppler's pdftotext: the text must come out as it went in.

use std::process::Command;

use huzhu_pdf::{Columns, Document, FontSource, Fonts, PdfError};

fn fonts() -> Fonts {
    Fonts::load(&[
        FontSource::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
        FontSource::new("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0),
    ])
    .expect("the fonts load (scripts/install-test-deps installs them)")
}

fn extract(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).expect("the PDF is written");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (Debian poppler-utils)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

#[test]
fn text_outside_the_bmp_is_drawn_and_extracted() {
    // 𠮷 (U+20BB7) is in Noto Sans CJK; 𪛖 (U+2A6D6, the last of Extension B) is not, and
    // must come from the fallback face.
    let fonts = fonts();
    let mut doc = Document::new(&fonts, "個人履歷", "zh-Hant-TW", "驗證碼 ABCD").expect("a document");
    doc.heading("李𠮷芳 𪛖", 16.0).expect("the heading");
    doc.paragraph("Registered Nurse 護理師", 10.0).expect("a paragraph");
    let pdf = doc.finish().expect("the PDF");
    let text = extract(&pdf);
    assert!(text.contains("李𠮷芳"), "{text}");
    assert!(text.contains("𪛖"), "{text}");
    assert!(text.contains("Registered Nurse 護理師"), "{text}");
    assert!(text.contains("驗證碼 ABCD"), "{text}");
    // Subset fonts: two faces of 19 MB and 30 MB become a few tens of kilobytes.
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
}

#[test]
fn a_character_no_font_has_is_an_error_not_a_box() {
    let fonts = fonts();
    // U+0378 is unassigned: no font has a glyph for it.
    let mut doc = Document::new(&fonts, "t", "zh-Hant-TW", "").expect("a document");
    match doc.paragraph("林\u{378}華", 10.0) {
        Err(PdfError::MissingGlyph(c)) => assert_eq!(c, '\u{378}'),
        other => panic!("expected a missing glyph, got {other:?}"),
    }
    assert!(matches!(fonts.check("a\u{378}"), Err(PdfError::MissingGlyph('\u{378}'))));
}

#[test]
fn line_breaks_and_markup_in_text_stay_plain_text() {
    let fonts = fonts();
    let mut doc = Document::new(&fonts, "t", "en", "").expect("a document");
    doc.paragraph("<b>王\"小\"明</b>\nBT /F1 Tj ET) (", 10.0).expect("a paragraph");
    let text = extract(&doc.finish().expect("the PDF"));
    assert!(text.contains("<b>王\"小\"明</b> BT /F1 Tj ET) ("), "{text}");
}

#[test]
fn long_content_flows_onto_more_pages_and_tables_wrap() {
    let fonts = fonts();
    let mut doc = Document::new(&fonts, "t", "zh-Hant-TW", "頁尾").expect("a document");
    let columns = Columns { shares: &[1.0, 3.0], size: 9.0 };
    for i in 0..120 {
        let row = format!("第{i}列");
        doc.row(&columns, &[&row, "臺北市立聯合醫院仁愛院區護理部加護病房與急診室輪值紀錄"]).expect("a row");
    }
    doc.qr_with_caption("http://127.0.0.1/verify/ABCD-EFGH", 72.0, &["驗證"], 9.0).expect("a QR code");
    let pdf = doc.finish().expect("the PDF");
    let text = extract(&pdf);
    assert!(text.contains("第0列") && text.contains("第119列"), "{text}");
    // 120 rows of at least 9 × 1.4 + 4 = 16.6 pt each is 1,992 pt, more than two pages of
    // 841.89 − 2 × 51 − 20 = 719.89 pt: the form feeds between pages say there are three or more.
    assert!(text.matches('\u{c}').count() >= 3, "pages: {}", text.matches('\u{c}').count());
}
