//! QR codes as vector squares, so they stay sharp in print and cost a few hundred bytes.

use qrcode::{Color, EcLevel, QrCode};

use crate::PdfError;

/// The quiet zone the QR standard asks for around the symbol, in modules.
const QUIET: usize = 4;

/// The symbol's side in modules (quiet zone included) and the dark modules as (column, row).
pub(crate) fn dark_modules(data: &str) -> Result<(usize, Vec<(usize, usize)>), PdfError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|error| PdfError::Qr(error.to_string()))?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .enumerate()
        .filter(|(_, color)| *color == Color::Dark)
        .map(|(i, _)| (i % width + QUIET, i / width + QUIET))
        .collect();
    Ok((width + 2 * QUIET, dark))
}
