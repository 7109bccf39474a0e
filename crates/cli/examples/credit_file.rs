//! Writes a people file and a large credits file for measuring `huzhu import`:
//!
//! ```sh
//! cargo run --release -p huzhu --example credit_file -- <folder> [credit rows] [rows per person]
//! huzhu import people <folder>/people.csv
//! huzhu import credits <folder>/credits.csv
//! ```
//!
//! Five million rows (the default) for 100,000 people make a file of about 700 MB. The rows
//! mix ISO and ROC dates and points with zero, one and two decimals, like a real export.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use huzhu_core::id::IdNumber;

const CATEGORIES: [&str; 4] = ["pro", "quality", "ethics", "law"];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(
        args.next().ok_or_else(|| anyhow::anyhow!("usage: credit_file <folder> [rows] [per person]"))?,
    );
    let rows: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5_000_000);
    let per_person: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50).max(1);
    std::fs::create_dir_all(&folder)?;
    let people = rows.div_ceil(per_person);

    let mut out = BufWriter::new(File::create(folder.join("people.csv"))?);
    writeln!(out, "id_number,name,birth_date,sex")?;
    for person in 0..people {
        writeln!(out, "{},測試{person},1990-01-01,F", id(person)?)?;
    }
    out.flush()?;

    let mut out = BufWriter::with_capacity(1 << 20, File::create(folder.join("credits.csv"))?);
    writeln!(
        out,
        "id_number,course_code,title,organiser,reviewer,activity,role,category,infection_control,gender,taken_on,points"
    )?;
    for row in 0..rows {
        let (person, course) = (row / per_person, row % per_person);
        let taken_on = if row % 2 == 0 {
            format!("2023-{:02}-{:02}", 1 + course % 12, 1 + course % 28)
        } else {
            format!("112/{:02}/{:02}", 1 + course % 12, 1 + course % 28)
        };
        writeln!(
            out,
            "{},112A{course:05},護理專業課程第{course}講,臺北市護理師護士公會,台灣護理學會,{},attendee,{},{},{},{taken_on},{}",
            id(person)?,
            1 + course % 6,
            CATEGORIES[(course % 4) as usize],
            u8::from(course % 10 == 0),
            u8::from(course % 15 == 0),
            ["1", "1.5", "2.25", "3"][(row % 4) as usize],
        )?;
    }
    out.flush()?;
    println!("wrote {people} people and {rows} credit rows to {}", folder.display());
    Ok(())
}

/// A valid ID number for person `n` (up to 26 × 10⁷ people).
fn id(n: u64) -> anyhow::Result<String> {
    let letter = char::from(b'A' + u8::try_from(n / 10_000_000)?);
    let nine = format!("{letter}2{:07}", n % 10_000_000);
    IdNumber::with_check_digit(&nine).map(String::from).ok_or_else(|| anyhow::anyhow!("no ID for {nine}"))
}
