//! Which character encoding an import file is in, and a reader that turns it into UTF-8.
//!
//! Government systems export UTF-8 (with or without a byte-order mark) or Big5. `--encoding`
//! decides when given, even over a byte-order mark. Otherwise a file that starts with a
//! byte-order mark is read as the mark says, and any other file is checked whole: valid UTF-8
//! is read as UTF-8; a file that is not is read as Big5 only if all of it decodes as Big5. A
//! file that is neither is refused before anything is written, naming the line of its first
//! byte that is not UTF-8: it is most likely a UTF-8 file with a damaged line, and reading it
//! as Big5 would garble every name. Refusing the whole file (rather than the damaged rows)
//! is the choice here because the encoding itself is in doubt; an operator who knows it names
//! it with `--encoding`, and then each row with bytes the encoding cannot read is refused with
//! its line and the good rows are loaded (the decoder marks such bytes U+FFFD, and
//! `kinds::parse` refuses any field holding one, so U+FFFD is never stored).
//!
//! Chinese text in Big5 is practically never valid UTF-8 (a Big5 lead byte 0x81–0xFE followed
//! by a trail byte 0x40–0x7E can never be). A UTF-8 file with a damaged byte could in principle
//! also decode as Big5 throughout; UTF-8 Chinese puts a byte 0x80–0xBF after most lead bytes,
//! and many such pairs are in no Big5 table, so with a few Chinese names this does not happen.
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
use encoding_rs::{BIG5, DecoderResult, Encoding, UTF_8};
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
    /// Whether a byte-order mark may still change the encoding (and is dropped) as the file is
    /// read; not when the operator named the encoding.
    pub bom_decides: bool,
}

/// The operator's choice if any; otherwise the byte-order mark, then whether all of the file
/// is UTF-8, then whether all of it is Big5.
pub fn detect(path: &Path, choice: Option<EncodingChoice>) -> anyhow::Result<Detected> {
    let chosen = |encoding, label| Ok(Detected { encoding, label, bom_decides: false });
    match choice {
        Some(EncodingChoice::Utf8) => return chosen(UTF_8, "UTF-8"),
        Some(EncodingChoice::Big5) => return chosen(BIG5, "Big5"),
        None => {}
    }
    let open = || File::open(path).with_context(|| format!("opening {}", path.display()));
    let mut file = open()?;
    let mut start = [0u8; 3];
    let read = read_up_to(&mut file, &mut start)?;
    if let Some((encoding, _)) = Encoding::for_bom(&start[..read]) {
        let label = if encoding == UTF_8 { "UTF-8 with BOM" } else { encoding.name() };
        return Ok(Detected { encoding, label, bom_decides: true });
    }
    let reading = || format!("reading {}", path.display());
    let Some(line) = first_bad_line(open()?, UTF_8).with_context(reading)? else {
        return Ok(Detected { encoding: UTF_8, label: "UTF-8", bom_decides: true });
    };
    if first_bad_line(open()?, BIG5).with_context(reading)?.is_none() {
        return Ok(Detected { encoding: BIG5, label: "Big5", bom_decides: true });
    }
    anyhow::bail!(
        "第 {line} 行有無法以 UTF-8 讀取的位元組，整個檔案也不是 Big5，未匯入任何資料；\
         請修正該行，或以 --encoding 指定編碼（無法解讀的列將被拒絕） / \
         line {line} has a byte that is not UTF-8, and the file is not Big5 either: nothing was \
         loaded. Repair that line, or name the encoding with --encoding (rows that cannot be \
         decoded are then refused)"
    )
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

/// The line (counted from 1) of the first byte that `encoding` cannot decode, or `None` when
/// all of `reader` decodes; read a megabyte at a time. A line is counted by its LF bytes, which
/// are never part of a character in UTF-8 or Big5 (Big5 trail bytes start at 0x40).
fn first_bad_line(mut reader: impl Read, encoding: &'static Encoding) -> io::Result<Option<u64>> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut input = vec![0u8; 1 << 20];
    // Neither encoding makes more than four bytes of UTF-8 of one input byte.
    let mut output = vec![0u8; 4 << 20];
    let mut newlines = 0u64;
    let count = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    loop {
        let filled = reader.read(&mut input)?;
        let last = filled == 0;
        let mut start = 0;
        loop {
            let (result, read, _) =
                decoder.decode_to_utf8_without_replacement(&input[start..filled], &mut output, last);
            if let DecoderResult::Malformed(bad, extra) = result {
                // The bad bytes end `extra` bytes before the end of what was read.
                let before = (start + read).saturating_sub(usize::from(bad) + usize::from(extra));
                return Ok(Some(newlines + count(&input[start..before.max(start)]) + 1));
            }
            newlines += count(&input[start..start + read]);
            start += read;
            if result == DecoderResult::InputEmpty {
                break;
            }
        }
        if last {
            return Ok(None);
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
        .bom_override(detected.bom_decides)
        .strip_bom(detected.bom_decides)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out one byte per read, so every character crosses a read.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
            buffer[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    fn both_ways(bytes: &[u8], encoding: &'static Encoding) -> Option<u64> {
        let whole = first_bad_line(bytes, encoding).expect("reads from memory");
        let split = first_bad_line(OneByte(bytes), encoding).expect("reads from memory");
        assert_eq!(whole, split, "{bytes:?}");
        whole
    }

    #[test]
    fn the_first_bad_line_whether_or_not_characters_cross_a_read() {
        // 陳 is E9 99 B3 in UTF-8 and B3 AF in Big5.
        assert_eq!(both_ways("a\n陳\n".as_bytes(), UTF_8), None);
        assert_eq!(both_ways(b"a\n\xb3\xaf\n", BIG5), None);
        // Line 3 holds a lone E9 before the line break.
        assert_eq!(both_ways(b"a\nb\nc\xe9\nd\n", UTF_8), Some(3));
        // A character cut off by the end of the file, on line 2.
        assert_eq!(both_ways(b"a\n\xe9\x99", UTF_8), Some(2));
        // Big5: a lead byte followed by a line break is bad on the line it starts; 80 is no lead.
        assert_eq!(both_ways(b"a\nb\xb3\nc\n", BIG5), Some(2));
        assert_eq!(both_ways(b"\xb3\xaf\n\xb3\xaf\n\x80\x40\n", BIG5), Some(3));
        // Big5 bytes are not UTF-8 from the first one.
        assert_eq!(both_ways(b"a\n\xb3\xaf\n", UTF_8), Some(2));
    }
}
