//! The CE page's PDF report (護產積分報告): the summary of the current licence window and every
//! record the page's filters select, drawn with the same document code and fonts as the resume
//! (`huzhu_pdf`). The handler in `routes/ce.rs` fills a [`Report`] from the same views as the
//! page and the CSV, so the three cannot disagree; this module only lays it out.

use huzhu_pdf::{Columns, Document, Fonts, PdfError};

use crate::i18n::Lang;

/// Everything the report states, already in the member's language.
pub struct Report {
    pub lang: Lang,
    pub name: String,
    /// When the report was made, Taiwan time.
    pub made: String,
    /// Which records are listed: the period and the filters in force.
    pub selection: String,
    pub summary: Option<Summary>,
    /// Cells of each record: date, course (with its code), activity, category, points,
    /// counted points, what counted and why.
    pub records: Vec<[String; 7]>,
}

pub struct Summary {
    /// "10.40 / 120.00".
    pub headline: String,
    /// What is still missing, in one sentence.
    pub missing: String,
    /// Window, due date, application date and the like, as (label, value).
    pub facts: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    /// Each capped activity: name, used, offered, cap.
    pub caps: Vec<[String; 4]>,
}

const RECORD_COLUMNS: [&str; 7] = [
    "ce.col_date",
    "ce.col_title",
    "ce.col_activity",
    "ce.col_category",
    "ce.col_points",
    "ce.col_counted",
    "ce.col_status",
];

/// Draws the report.
pub fn render(fonts: &Fonts, report: &Report) -> Result<Vec<u8>, PdfError> {
    let t = report.lang.messages();
    let title = t.get("ce_pdf.title");
    let footer = t.format("ce_pdf.footer", &[("made", &report.made)]);
    let mut doc = Document::new(fonts, title, report.lang.tag(), &footer)?;

    doc.paragraph(title, 20.0)?;
    doc.paragraph(&report.name, 16.0)?;
    doc.paragraph(&t.format("ce_pdf.made", &[("made", &report.made)]), 9.0)?;

    doc.heading(t.get("ce.summary_title"), 13.0)?;
    match &report.summary {
        Some(summary) => draw_summary(&mut doc, report.lang, summary)?,
        None => doc.paragraph(t.get("ce.no_licence"), 10.0)?,
    }

    doc.heading(t.get("ce.records_title"), 13.0)?;
    doc.paragraph(&report.selection, 9.5)?;
    let count = report.records.len().to_string();
    doc.paragraph(&t.format("ce_pdf.count", &[("count", &count)]), 9.5)?;
    doc.space(4.0);
    // Narrow figures, wide course names and reasons; 8 points keeps a record on one or two lines.
    let columns = Columns { shares: &[1.0, 2.6, 1.3, 1.0, 0.7, 0.8, 2.0], size: 8.0 };
    let header: Vec<&str> = RECORD_COLUMNS.iter().map(|key| t.get(key)).collect();
    doc.row(&columns, &header)?;
    for record in &report.records {
        let cells: Vec<&str> = record.iter().map(String::as_str).collect();
        doc.row(&columns, &cells)?;
    }
    doc.finish()
}

fn draw_summary(doc: &mut Document, lang: Lang, summary: &Summary) -> Result<(), PdfError> {
    let t = lang.messages();
    doc.paragraph(&summary.headline, 14.0)?;
    doc.paragraph(&summary.missing, 10.0)?;
    doc.space(4.0);
    let two = Columns { shares: &[1.0, 2.6], size: 9.5 };
    for (label, value) in &summary.facts {
        doc.row(&two, &[label, value])?;
    }

    doc.space(8.0);
    doc.paragraph(t.get("ce.per_category"), 10.5)?;
    doc.row(&two, &[t.get("ce.col_category"), t.get("ce.col_counted")])?;
    for (name, points) in &summary.categories {
        doc.row(&two, &[name, points])?;
    }

    doc.space(8.0);
    doc.paragraph(t.get("ce.caps_title"), 10.5)?;
    let four = Columns { shares: &[2.2, 0.8, 0.8, 0.8], size: 9.5 };
    doc.row(&four, &[t.get("ce.cap"), t.get("ce.cap_used"), t.get("ce.cap_offered"), t.get("ce.cap_limit")])?;
    for cap in &summary.caps {
        let cells: Vec<&str> = cap.iter().map(String::as_str).collect();
        doc.row(&four, &cells)?;
    }
    Ok(())
}
