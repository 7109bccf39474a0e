//! A4 documents for the portal: text in a CJK face with fallbacks (embedded as subsets, with
//! a ToUnicode map so the text can be selected and extracted), rules, simple tables and QR
//! codes. Layout is a cursor moving down the page that starts a new page when the next line
//! does not fit; that is all a resume or a points report needs.
//!
//! Built on krilla, which always subsets fonts and writes correct ToUnicode maps; shaping is
//! its simple single-run shaper, so each run is drawn in one face (the fallback split happens
//! here, per character).

mod fonts;
mod qr;

use std::path::PathBuf;

use krilla::Document as KrillaDocument;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

pub use fonts::{FontSource, Fonts, exists};

/// A4 in PDF points (1/72 inch): 210 × 297 mm.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// Margins on every side: 18 mm.
pub const MARGIN: f32 = 51.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("cannot read the font {0}: {1}")]
    FontFile(PathBuf, String),
    #[error("no configured font has a glyph for U+{:04X}", *.0 as u32)]
    MissingGlyph(char),
    #[error("cannot encode the QR code: {0}")]
    Qr(String),
    #[error("cannot write the PDF: {0}")]
    Write(String),
}

/// One thing drawn on a page, in page coordinates (origin top left, y down).
enum Mark {
    Text { x: f32, baseline: f32, size: f32, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    Squares { x: f32, y: f32, module: f32, dark: Vec<(usize, usize)> },
}

/// A document being laid out. Build it with the methods below, then [`Document::finish`].
pub struct Document {
    fonts: Fonts,
    pages: Vec<Vec<Mark>>,
    /// The top of the next line on the current page.
    y: f32,
    title: String,
    language: String,
    footer: String,
}

/// Table columns: each width is a share of the text width.
pub struct Columns<'a> {
    pub shares: &'a [f32],
    pub size: f32,
}

impl Document {
    /// A new document in `language` (a BCP 47 tag such as `zh-Hant-TW`), whose every page
    /// ends with `footer`.
    pub fn new(fonts: &Fonts, title: &str, language: &str, footer: &str) -> Result<Document, PdfError> {
        fonts.check(title)?;
        fonts.check(footer)?;
        Ok(Document {
            fonts: fonts.clone(),
            pages: vec![Vec::new()],
            y: MARGIN,
            title: clean(title),
            language: language.to_owned(),
            footer: clean(footer),
        })
    }

    pub fn text_width(&self) -> f32 {
        PAGE_WIDTH - 2.0 * MARGIN
    }

    /// The space left on this page above the footer.
    fn room(&self) -> f32 {
        PAGE_HEIGHT - MARGIN - 20.0 - self.y
    }

    fn need(&mut self, height: f32) {
        if self.room() < height {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn page(&mut self) -> &mut Vec<Mark> {
        self.pages.last_mut().expect("a document always has a page")
    }

    /// Empty space.
    pub fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// A paragraph at `size` points, wrapped to the text width.
    pub fn paragraph(&mut self, text: &str, size: f32) -> Result<(), PdfError> {
        self.paragraph_at(MARGIN, self.text_width(), text, size)
    }

    fn paragraph_at(&mut self, x: f32, width: f32, text: &str, size: f32) -> Result<(), PdfError> {
        for line in wrap(&self.fonts, &clean(text), size, width)? {
            self.need(size * 1.5);
            let baseline = self.y + size;
            self.page().push(Mark::Text { x, baseline, size, text: line });
            self.y += size * 1.5;
        }
        Ok(())
    }

    /// A section heading with a rule under it; kept with at least two lines of what follows.
    pub fn heading(&mut self, text: &str, size: f32) -> Result<(), PdfError> {
        self.need(size * 1.6 + 40.0);
        self.space(size * 0.6);
        self.paragraph(text, size)?;
        self.rule(0.8);
        self.space(4.0);
        Ok(())
    }

    /// A thin horizontal line across the text width.
    pub fn rule(&mut self, width: f32) {
        let y = self.y;
        self.page().push(Mark::Line { x1: MARGIN, y1: y, x2: PAGE_WIDTH - MARGIN, y2: y, width });
        self.y += 2.0;
    }

    /// One table row: each cell wrapped in its column; the row is as tall as its tallest cell.
    pub fn row(&mut self, columns: &Columns<'_>, cells: &[&str]) -> Result<(), PdfError> {
        let total: f32 = columns.shares.iter().sum();
        let size = columns.size;
        let mut wrapped = Vec::with_capacity(cells.len());
        let mut lines = 1;
        for (cell, share) in cells.iter().zip(columns.shares) {
            let width = self.text_width() * share / total - 6.0;
            let cell_lines = wrap(&self.fonts, &clean(cell), size, width)?;
            lines = lines.max(cell_lines.len());
            wrapped.push(cell_lines);
        }
        let height = lines as f32 * size * 1.4 + 4.0;
        self.need(height);
        let mut x = MARGIN;
        let top = self.y + 2.0;
        for (cell_lines, share) in wrapped.into_iter().zip(columns.shares) {
            for (i, line) in cell_lines.into_iter().enumerate() {
                let baseline = top + size + i as f32 * size * 1.4;
                self.page().push(Mark::Text { x, baseline, size, text: line });
            }
            x += self.text_width() * share / total;
        }
        self.y += height;
        let y = self.y;
        self.page().push(Mark::Line { x1: MARGIN, y1: y, x2: PAGE_WIDTH - MARGIN, y2: y, width: 0.3 });
        Ok(())
    }

    /// A QR code of `data`, `side` points square, at the right margin of the current line,
    /// with `caption` lines beside it on the left. Moves the cursor below both.
    pub fn qr_with_caption(
        &mut self,
        data: &str,
        side: f32,
        caption: &[&str],
        size: f32,
    ) -> Result<(), PdfError> {
        let (modules, dark) = qr::dark_modules(data)?;
        self.need(side + 8.0);
        let top = self.y;
        let x = PAGE_WIDTH - MARGIN - side;
        self.page().push(Mark::Squares { x, y: top, module: side / modules as f32, dark });
        for line in caption {
            self.paragraph_at(MARGIN, self.text_width() - side - 12.0, line, size)?;
        }
        self.y = self.y.max(top + side) + 8.0;
        Ok(())
    }

    /// Writes the PDF.
    pub fn finish(self) -> Result<Vec<u8>, PdfError> {
        let mut document = KrillaDocument::new();
        document.set_metadata(
            Metadata::new()
                .title(self.title.clone())
                .language(self.language.clone())
                .creator("huzhu".to_owned()),
        );
        let count = self.pages.len();
        for (number, marks) in self.pages.iter().enumerate() {
            let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
                .ok_or_else(|| PdfError::Write("page size".to_owned()))?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            for mark in marks {
                draw(&mut surface, &self.fonts, mark)?;
            }
            let footer = format!("{}    {}/{}", self.footer, number + 1, count);
            let baseline = PAGE_HEIGHT - MARGIN + 10.0;
            draw(&mut surface, &self.fonts, &Mark::Text { x: MARGIN, baseline, size: 8.0, text: footer })?;
            surface.finish();
            page.finish();
        }
        document.finish().map_err(|error| PdfError::Write(format!("{error:?}")))
    }
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, mark: &Mark) -> Result<(), PdfError> {
    match mark {
        Mark::Text { x, baseline, size, text } => {
            let mut x = *x;
            for run in fonts.runs(text)? {
                let glyphs = fonts.glyphs(run.face, &run.text);
                let font = fonts.font(run.face);
                surface.draw_glyphs(Point::from_xy(x, *baseline), &glyphs, font, &run.text, *size, false);
                x += glyphs.iter().map(|glyph| glyph.x_advance * size).sum::<f32>();
            }
        }
        Mark::Line { x1, y1, x2, y2, width } => {
            let mut path = PathBuilder::new();
            path.move_to(*x1, *y1);
            path.line_to(*x2, *y2);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { width: *width, ..Stroke::default() }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
            }
        }
        Mark::Squares { x, y, module, dark } => {
            let mut path = PathBuilder::new();
            for (col, row) in dark {
                let left = x + *col as f32 * module;
                let top = y + *row as f32 * module;
                if let Some(rect) = Rect::from_xywh(left, top, *module, *module) {
                    path.push_rect(rect);
                }
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(Fill::default()));
                surface.draw_path(&path);
            }
        }
    }
    Ok(())
}

/// Control characters (line breaks in a name, tabs) become spaces: they must not move text
/// around or reach the PDF's text operators.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Greedy line breaking: CJK text may break between any two characters, other text at spaces
/// (a word longer than the line is cut where it must).
fn wrap(fonts: &Fonts, text: &str, size: f32, width: f32) -> Result<Vec<String>, PdfError> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // The running width of `line`, so each character is measured once.
    let mut used = 0.0;
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let advance = fonts.width(c.encode_utf8(&mut buffer), size)?;
        if used + advance <= width || line.is_empty() {
            line.push(c);
            used += advance;
            continue;
        }
        // Break at the last space when the line holds Latin words, so a word stays whole.
        let cut = if c.is_ascii_alphanumeric() { line.rfind(' ').filter(|&i| i > 0) } else { None };
        match cut {
            Some(i) => {
                let rest = line[i + 1..].to_owned();
                line.truncate(i);
                lines.push(std::mem::take(&mut line));
                line = rest;
                line.push(c);
                used = fonts.width(&line, size)?;
            }
            None => {
                lines.push(std::mem::take(&mut line));
                used = 0.0;
                if c != ' ' {
                    line.push(c);
                    used = advance;
                }
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}
