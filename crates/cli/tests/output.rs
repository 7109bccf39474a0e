//! Commands whose standard output is gone (a pipe into `head` that closed): one line on
//! standard error and a plain failure, never a panic, and no operator left whose password and
//! TOTP key nobody saw.

mod support;

use std::process::{Output, Stdio};

use support::{Site, path, text};

/// Runs `huzhu` with standard output a pipe whose reading end is closed before it writes.
fn with_closed_stdout(site: &Site, args: &[&str]) -> Output {
    let mut child = site
        .command(args)
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("huzhu starts");
    drop(child.stdout.take());
    child.wait_with_output().expect("huzhu ends")
}

/// A failure exit (1, not the 101 of a panic) ending with one error line naming the cause (an
/// import's progress lines go to standard error before it).
fn assert_one_line_failure(output: &Output) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: writing to standard output"), "{stderr}");
    assert!(stderr.lines().filter(|l| !l.starts_with("import: ")).count() == 1, "{stderr}");
}

#[test]
fn operator_add_with_nowhere_to_show_the_secrets_creates_no_operator() {
    let site = Site::new();
    site.ok(&["migrate"]);
    let output = with_closed_stdout(&site, &["operator", "add", "chen.mei"]);
    assert_one_line_failure(&output);
    assert!(text(&output.stderr).contains("operator chen.mei was not created"), "{}", text(&output.stderr));
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM operator"), ["0"]);
    // Run again with somewhere to write: she is created, the name was free.
    let printed = site.ok(&["operator", "add", "chen.mei"]);
    assert!(printed.contains("Operator chen.mei created."), "{printed}");
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM operator"), ["1"]);
}

#[test]
fn operator_list_and_import_end_with_one_line_when_their_output_is_gone() {
    let site = Site::new();
    site.ok(&["operator", "add", "chen.mei"]);
    assert_one_line_failure(&with_closed_stdout(&site, &["operator", "list"]));

    let people =
        site.file("people.csv", "id_number,name,birth_date,sex\nA123456789,王,1980-01-01,M\n".as_bytes());
    assert_one_line_failure(&with_closed_stdout(&site, &["import", "people", path(&people)]));
    // The rows were written before the report failed: 1 person.
    assert_eq!(site.lines("SELECT CAST(COUNT(*) AS TEXT) FROM person"), ["1"]);
}
