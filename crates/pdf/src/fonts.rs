//! The fonts a document draws with: a main CJK face and fallbacks, tried in order for each
//! character. A character that no face covers is an error, never an empty box.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::{FontRef, MetadataProvider};

use crate::PdfError;

/// One face of a font file: TrueType collections (`.ttc`) hold several, chosen by `index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSource {
    pub path: PathBuf,
    pub index: u32,
}

impl FontSource {
    pub fn new(path: impl Into<PathBuf>, index: u32) -> FontSource {
        FontSource { path: path.into(), index }
    }
}

/// A face loaded into memory, with what is needed to pick glyphs and measure text.
#[derive(Clone)]
struct Face {
    font: Font,
    data: Arc<Vec<u8>>,
    index: u32,
    units_per_em: f32,
    /// Each character's glyph and advance (in font units) once looked up; `None` when the face
    /// has no glyph for it. Finding the character map and metrics tables anew for every
    /// character was the largest cost of a long report. Bounded by the characters the portal's
    /// data uses (a few thousand), and shared by every document of the process.
    seen: Arc<RwLock<HashMap<char, Option<Glyph>>>>,
}

/// A glyph ID and its advance in font units.
type Glyph = (u32, f32);

impl Face {
    fn load(source: &FontSource) -> Result<Face, PdfError> {
        let bytes = std::fs::read(&source.path)
            .map_err(|error| PdfError::FontFile(source.path.clone(), error.to_string()))?;
        let data = Arc::new(bytes);
        let font = Font::new(data.clone().into(), source.index)
            .ok_or_else(|| PdfError::FontFile(source.path.clone(), "not a font".to_owned()))?;
        let units_per_em = font.units_per_em();
        Ok(Face { font, data, index: source.index, units_per_em, seen: Arc::default() })
    }

    fn font_ref(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(self.data.as_slice(), self.index).ok()
    }

    /// The glyph of `c` and its advance in font units, if the face draws it.
    fn lookup(&self, c: char) -> Option<Glyph> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
        if let Some(known) = self.seen.read().unwrap_or_else(|e| e.into_inner()).get(&c) {
            return *known;
        }
        let found = self.font_ref().and_then(|font| {
            let glyph = font.charmap().map(c).filter(|glyph| glyph.to_u32() != 0)?;
            let metrics = font
                .glyph_metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
            Some((glyph.to_u32(), metrics.advance_width(glyph).unwrap_or(0.0)))
        });
        self.seen.write().unwrap_or_else(|e| e.into_inner()).insert(c, found);
        found
    }

    fn covers(&self, c: char) -> bool {
        self.lookup(c).is_some()
    }

    /// The glyphs of `text`, one per character, each advanced by its own width. This is all the
    /// placement CJK and plain Latin text need, and it is done here rather than by krilla's
    /// `draw_text`, which builds a HarfBuzz face for every call: with a CJK font's large
    /// layout tables that made a one-page report take tens of milliseconds. Known shortcoming:
    /// no shaping, so a combining mark that NFC does not compose is drawn after its letter
    /// rather than over it (names are stored NFC-composed).
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(start, c)| {
                let (glyph, units) = self.lookup(c).unwrap_or((0, 0.0));
                let range = start..start + c.len_utf8();
                KrillaGlyph::new(GlyphId::new(glyph), units / self.units_per_em, 0.0, 0.0, 0.0, range, None)
            })
            .collect()
    }

    /// The advance of `text` at `size` points, from the horizontal metrics (no kerning: CJK
    /// text has none, and a Latin line only needs to fit, not to be measured to the point).
    fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text.chars().filter_map(|c| self.lookup(c)).map(|(_, units)| units).sum();
        units * size / self.units_per_em
    }
}

/// The faces of a document, main face first. Cheap to clone: the font data is shared.
#[derive(Clone)]
pub struct Fonts {
    faces: Vec<Face>,
}

/// A stretch of text that one face draws.
pub(crate) struct Run {
    pub face: usize,
    pub text: String,
}

impl Fonts {
    /// Reads the faces, main face first. Font files are large (a CJK collection is ~20 MB):
    /// load them once at start-up and share the result.
    pub fn load(sources: &[FontSource]) -> Result<Fonts, PdfError> {
        if sources.is_empty() {
            return Err(PdfError::FontFile(PathBuf::new(), "no font configured".to_owned()));
        }
        let faces = sources.iter().map(Face::load).collect::<Result<Vec<_>, _>>()?;
        Ok(Fonts { faces })
    }

    /// Whether some face draws every character of `text`; the first one that none does is
    /// the error.
    pub fn check(&self, text: &str) -> Result<(), PdfError> {
        for c in text.chars() {
            if !c.is_whitespace() && self.face_for(c).is_none() {
                return Err(PdfError::MissingGlyph(c));
            }
        }
        Ok(())
    }

    fn face_for(&self, c: char) -> Option<usize> {
        self.faces.iter().position(|face| face.covers(c))
    }

    /// Splits `text` into runs that each face draws whole. Spaces go with the run before them.
    pub(crate) fn runs(&self, text: &str) -> Result<Vec<Run>, PdfError> {
        let mut runs: Vec<Run> = Vec::new();
        for c in text.chars() {
            let face = match self.face_for(c) {
                Some(face) => face,
                None if c == ' ' => runs.last().map_or(0, |run| run.face),
                None => return Err(PdfError::MissingGlyph(c)),
            };
            match runs.last_mut() {
                Some(run) if run.face == face => run.text.push(c),
                _ => runs.push(Run { face, text: c.to_string() }),
            }
        }
        Ok(runs)
    }

    pub(crate) fn font(&self, face: usize) -> Font {
        self.faces[face].font.clone()
    }

    /// The glyphs that draw `text` (a run of one face), placed one after the other.
    pub(crate) fn glyphs(&self, face: usize, text: &str) -> Vec<KrillaGlyph> {
        self.faces[face].glyphs(text)
    }

    /// The width of `text` at `size` points, each character measured in the face that draws it.
    pub fn width(&self, text: &str, size: f32) -> Result<f32, PdfError> {
        Ok(self.runs(text)?.iter().map(|run| self.faces[run.face].width(&run.text, size)).sum())
    }

    /// Where the files were read from, for messages.
    pub fn describe(sources: &[FontSource]) -> String {
        sources.iter().map(|s| s.path.display().to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// Whether a font file is where a setting says; for start-up checks.
pub fn exists(source: &FontSource) -> bool {
    Path::new(&source.path).is_file()
}
