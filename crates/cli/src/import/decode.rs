//! Which character encoding an import file is in, and a reader that turns it into UTF-8.
//!
//! Government systems export UTF-8 (with or without a byte-order mark) or Big5. A file that
//! starts with a byte-order mark is read as the mark says. Otherwise the whole file is checked:
//! valid UTF-8 is read as UTF-8, anything else as Big5. Chinese text in Big5 is practically
//! never valid UTF-8 (a Big5 lead byte 0x81–0xFE followed by a trail byte 0x40–0x7E can never
//! be), so the check decides reliably once a file has a few Chinese characters; `--encoding`
//! overrides it.
//!
//! Big5 is decoded with encoding_rs's Big5, the WHATWG Encoding Standard's: Big5 with the
//! HKSCS extension and the CP950 (Microsoft) additions such as 碁 (F9D6) and 銹 (F9D7), which
//! is what Windows and the government systems write. The file is decoded before it is split
//! into fields, so a second byte that looks like `\` (0x5C, as in 許 B35C, 功 A55C, 蓋 BB5C) or
//! `|` (0x7C) is part of its character and never taken for a separator or an escape.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use clap::ValueEnum;
use encoding_rs::{BIG5, Encoding, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// An encoding the operator can name instead of having it detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingChoice {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "big5")]
    Big5,
}

/// The encoding of a file as found, and the name it is reported and recorded under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub encoding: &'static Encoding,
    pub label: &'static str,
}

/// Looks at the file's byte-order mark, then at whether all of it is valid UTF-8.
pub fn detect(path: &Path, choice: Option<EncodingChoice>) -> anyhow::Result<Detected> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut start = [0u8; 3];
    let read = read_up_to(&mut file, &mut start)?;
    if let Some((encoding, _)) = Encoding::for_bom(&start[..read]) {
        let label = if encoding == UTF_8 { "UTF-8 with BOM" } else { encoding.name() };
        return Ok(Detected { encoding, label });
    }
    match choice {
        Some(EncodingChoice::Utf8) => return Ok(Detected { encoding: UTF_8, label: "UTF-8" }),
        Some(EncodingChoice::Big5) => return Ok(Detected { encoding: BIG5, label: "Big5" }),
        None => {}
    }
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if is_utf8(file).with_context(|| format!("reading {}", path.display()))? {
        Ok(Detected { encoding: UTF_8, label: "UTF-8" })
    } else {
        Ok(Detected { encoding: BIG5, label: "Big5" })
    }
}

fn read_up_to(file: &mut File, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Whether everything `reader` yields is valid UTF-8, read a megabyte at a time. A character
/// cut by the end of a block is carried over to the next.
fn is_utf8(mut reader: impl Read) -> io::Result<bool> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut carried = 0;
    loop {
        let read = reader.read(&mut buffer[carried..])?;
        let filled = carried + read;
        if read == 0 {
            return Ok(carried == 0);
        }
        match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) => carried = 0,
            // An incomplete character at the end of the block: at most three bytes.
            Err(error) if error.error_len().is_none() => {
                let valid = error.valid_up_to();
                buffer.copy_within(valid..filled, 0);
                carried = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// A reader of the file's text as UTF-8 (the byte-order mark and carriage returns dropped), and
/// a counter of the file's bytes read so far, for the progress display.
pub fn open(path: &Path, detected: Detected) -> anyhow::Result<(impl Read + use<>, Arc<AtomicU64>)> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let counter = Arc::new(AtomicU64::new(0));
    let counting = Counting { inner: file, count: Arc::clone(&counter) };
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(detected.encoding))
        .bom_override(true)
        .strip_bom(true)
        .utf8_passthru(true)
        .build(counting);
    Ok((BufReader::with_capacity(1 << 20, NoCarriageReturns(decoder)), counter))
}

/// Drops every carriage return, so that CRLF files read as LF files. The CSV reader counts a
/// CRLF record's line one short (it counts the LF when it starts the next record), and the
/// report must name the right line. A CR alone is no line ending in any export we read, and a
/// CR inside a quoted field carries nothing.
struct NoCarriageReturns<R>(R);

impl<R: Read> Read for NoCarriageReturns<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        loop {
            let read = self.0.read(buffer)?;
            if read == 0 {
                return Ok(0);
            }
            let mut kept = 0;
            for index in 0..read {
                if buffer[index] != b'\r' {
                    buffer[kept] = buffer[index];
                    kept += 1;
                }
            }
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// Counts the bytes that pass through.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}
