//! The resume (個人履歷) as an A4 PDF, and the facts it states, which the verification page
//! repeats. All text comes from the catalogs of the resume's language.

use huzhu_pdf::{Columns, Document, Fonts, PdfError};

use crate::i18n::Lang;
use crate::routes::personal::Personal;

pub struct ResumeInput<'a> {
    pub me: &'a Personal,
    pub lang: Lang,
    pub code: &'a str,
    pub verify_url: &'a str,
    pub issued: &'a str,
}

/// What the resume states, as (label, value) in its language, for the verification page.
/// The name is left out: the verification page shows it masked, from its own column.
pub fn facts(input: &ResumeInput<'_>) -> Vec<(String, String)> {
    let t = input.lang.messages();
    let me = input.me;
    let mut facts = Vec::new();
    for c in &me.certificates {
        facts.push((
            t.get("personal.certificates").to_owned(),
            format!("{} {} ({})", c.profession, c.number, c.issued),
        ));
    }
    if let Some(l) = &me.licence {
        facts.push((t.get("personal.licence_number").to_owned(), format!("{} {}", l.profession, l.number)));
        facts.push((t.get("personal.authority").to_owned(), l.authority.clone()));
        facts.push((t.get("personal.institution").to_owned(), l.institution.clone()));
        facts.push((t.get("personal.status").to_owned(), l.status.clone()));
        facts.push((t.get("personal.renewal_due").to_owned(), format!("{} ({})", l.due_roc, l.due_iso)));
    }
    facts.push((t.get("personal.points_title").to_owned(), me.points.clone()));
    facts.push((t.get("personal.learning_title").to_owned(), me.learning_total.clone()));
    facts
}

/// Draws the resume.
pub fn render(fonts: &Fonts, input: &ResumeInput<'_>) -> Result<Vec<u8>, PdfError> {
    let t = input.lang.messages();
    let me = input.me;
    let footer = t.format("personal.resume_footer", &[("code", input.code), ("issued", input.issued)]);
    let title = t.get("personal.resume_title");
    let mut doc = Document::new(fonts, title, input.lang.tag(), &footer)?;

    doc.paragraph(title, 20.0)?;
    doc.paragraph(&me.name, 16.0)?;
    doc.space(4.0);
    let issued = t.format("personal.resume_issued", &[("issued", input.issued)]);
    let code = t.format("personal.resume_code", &[("code", input.code)]);
    let check = t.format("personal.resume_check", &[("url", input.verify_url)]);
    doc.qr_with_caption(input.verify_url, 80.0, &[&issued, &code, &check], 9.0)?;

    let two = Columns { shares: &[1.0, 2.0], size: 10.0 };
    doc.heading(t.get("personal.certificates"), 13.0)?;
    if me.certificates.is_empty() {
        doc.paragraph(t.get("home.none"), 10.0)?;
    }
    let four = Columns { shares: &[1.0, 2.0, 1.3, 0.8], size: 9.5 };
    for c in &me.certificates {
        doc.row(&four, &[&c.profession, &c.number, &c.issued, &c.status])?;
    }

    doc.heading(t.get("personal.licence_title"), 13.0)?;
    match &me.licence {
        Some(l) => {
            let due = format!("{} ({})", l.due_roc, l.due_iso);
            let rows: [(&str, &str); 7] = [
                ("personal.licence_number", &l.number),
                ("personal.profession", &l.profession),
                ("personal.authority", &l.authority),
                ("personal.institution", &l.institution),
                ("personal.registered", &l.registered),
                ("personal.renewal_due", &due),
                ("personal.status", &l.status),
            ];
            for (key, value) in rows {
                doc.row(&two, &[t.get(key), value])?;
            }
        }
        None => doc.paragraph(t.get("home.no_licence"), 10.0)?,
    }

    doc.heading(t.get("personal.history_title"), 13.0)?;
    let events = Columns { shares: &[1.2, 0.9, 2.5], size: 9.5 };
    for licence in &me.timeline {
        doc.paragraph(&format!("{} · {}", licence.heading, licence.institution), 10.0)?;
        for e in &licence.events {
            doc.row(&events, &[&e.date, &e.kind, &e.note])?;
        }
        doc.space(4.0);
    }

    doc.heading(t.get("personal.points_title"), 13.0)?;
    doc.paragraph(&me.points, 11.0)?;
    if !me.points_window.is_empty() {
        doc.paragraph(&me.points_window, 9.5)?;
    }

    doc.heading(t.get("personal.learning_title"), 13.0)?;
    doc.paragraph(&me.learning_total, 10.0)?;
    let learning = Columns { shares: &[3.0, 1.3, 0.8], size: 9.5 };
    for l in &me.learning {
        doc.row(&learning, &[&l.course, &l.completed, &l.duration])?;
    }
    doc.finish()
}
