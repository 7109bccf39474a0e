//! The `huzhu` command as an operator runs it.

use std::process::{Command, Output};

/// A scratch PostgreSQL database when `HUZHU_TEST_POSTGRES_URL` names a server (the suite runs
/// once on each engine); `None` means the SQLite file in the data folder.
fn postgres_for_test() -> Option<String> {
    let server = std::env::var("HUZHU_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())?;
    let suffix: String = (0..8).map(|_| format!("{:02x}", rand_byte())).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let name = format!("huzhu_test_{suffix}");
    Some(runtime.block_on(huzhu_store::Store::create_postgres_database(&server, &name)).expect("a database"))
}

fn rand_byte() -> u8 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos());
    (nanos.unwrap_or(0) % 251) as u8 ^ (std::process::id() as u8)
}

/// Whether the test's database exists: the SQLite file, or (on PostgreSQL) it was created above.
fn database_exists(data_dir: &std::path::Path, postgres: &Option<String>) -> bool {
    postgres.is_some() || data_dir.join("huzhu.db").exists()
}

fn huzhu(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    huzhu_on(data_dir, &None, args, env)
}

fn huzhu_on(
    data_dir: &std::path::Path,
    postgres: &Option<String>,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_huzhu"));
    command.args(args).env("HUZHU_DATA_DIR", data_dir).env("HUZHU_LOG", "warn");
    if let Some(url) = postgres {
        command.env("HUZHU_DATABASE_URL", url);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("huzhu runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn demo_fills_an_empty_database_and_prints_the_showcase_accounts() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let output = huzhu_on(data.path(), &postgres, &["demo", "--members", "30", "--today", "2026-12-04"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let printed = text(&output.stdout);
    // The showcase members of crates/demo, one line each with the shared demo password.
    for id in ["A200123458", "F200234568", "E100345670", "B200456784", "F900567897", "AB00678901"] {
        assert!(printed.contains(&format!("{id}  Huzhu-demo-2026!")), "{id} missing from:\n{printed}");
    }
    // And the registry person without an account, whose details 註冊社群 needs.
    assert!(printed.contains("ID E200789012, name 張雅琪, born 1996-09-14"), "{printed}");
    assert!(database_exists(data.path(), &postgres));

    let again = huzhu_on(data.path(), &postgres, &["demo", "--members", "30"], &[]);
    assert!(!again.status.success(), "a second demo load into the same database is refused");
    assert!(text(&again.stderr).contains("already has people"));
}

#[test]
fn a_fixed_captcha_is_refused_without_demo_mode() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let output =
        huzhu(data.path(), &["serve"], &[("HUZHU_CAPTCHA_FIXED", "12345"), ("HUZHU_BIND", "127.0.0.1:0")]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("HUZHU_CAPTCHA_FIXED is for tests only"));
}

#[test]
fn a_fixed_captcha_is_refused_on_an_address_other_machines_can_reach() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let output = huzhu(
        data.path(),
        &["serve", "--demo", "--demo-members", "0"],
        &[("HUZHU_CAPTCHA_FIXED", "12345"), ("HUZHU_BIND", "0.0.0.0:0")],
    );
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("needs a loopback bind address"), "{}", text(&output.stderr));
    // Refused before anything was written.
    assert!(!data.path().join("huzhu.db").exists());
}

#[test]
fn an_unknown_setting_is_refused_rather_than_ignored() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let output = huzhu(data.path(), &["migrate"], &[("HUZHU_SESION_IDLE_MINUTES", "5")]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).to_lowercase().contains("sesion_idle_minutes"), "{}", text(&output.stderr));
}

#[test]
fn an_smtp_url_that_cannot_be_used_is_refused_in_one_line_that_says_why_once() {
    let data = tempfile::tempdir().expect("a temporary folder");
    for (url, why) in [
        (
            "http://nurse:s3cret@127.0.0.1:25",
            "smtp_url must begin with smtps:// (TLS) or smtp://, not http://",
        ),
        ("smtps://", "smtp_url names no host"),
        (
            "smtp://127.0.0.1:25?tls=bogus",
            "smtp_url may say tls=required or tls=opportunistic, not tls=bogus",
        ),
        // Read as required here but as opportunistic by a sender taking the first: refused.
        (
            "smtp://nurse:s3cret@192.0.2.1:587?tls=opportunistic&tls=required",
            "smtp_url says tls= more than once",
        ),
        (
            "smtps://127.0.0.1:465?tls=none",
            "smtp_url may say tls=required or tls=opportunistic, not tls=none",
        ),
        ("not a url", "smtp_url is not a URL: relative URL without a base"),
        // "p%FF" decodes to the bytes 70 FF: FF cannot start a UTF-8 character, at index 1.
        ("smtp://nurse:p%FF@127.0.0.1:25?tls=required", "invalid utf-8 sequence of 1 bytes from index 1"),
    ] {
        let output =
            huzhu(data.path(), &["serve"], &[("HUZHU_SMTP_URL", url), ("HUZHU_BIND", "127.0.0.1:0")]);
        assert!(!output.status.success(), "{url} was accepted");
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{url}: one line, not {stderr}");
        assert_eq!(stderr.matches(why).count(), 1, "{url}: the reason once, not {stderr}");
        assert!(!stderr.contains("s3cret"), "the relay's password is not repeated: {stderr}");
        // Refused before listening and before anything was written.
        assert!(!text(&output.stdout).contains("listening"), "{url}");
        assert!(!data.path().join("huzhu.db").exists(), "{url}");
    }
}

#[test]
fn migrate_creates_the_database_and_says_so() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let output = huzhu_on(data.path(), &postgres, &["migrate"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("up to date"));
    assert!(database_exists(data.path(), &postgres));
}

#[test]
fn operator_add_prints_a_password_and_an_otpauth_address_once_and_refuses_a_taken_name() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let output = huzhu_on(data.path(), &postgres, &["operator", "add", "chen.mei"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let printed = text(&output.stdout);
    let password = printed
        .lines()
        .find_map(|line| line.strip_prefix("Password (shown once): "))
        .expect("a password line");
    // 20 symbols from a 54-symbol alphabet: 20 × log2(54) ≈ 20 × 5.75 = 115 bits.
    assert_eq!(password.chars().count(), 20);
    let uri = printed.lines().find(|line| line.starts_with("otpauth://")).expect("an otpauth line");
    // The address names the issuer and the operator, and carries a 160-bit key: 32 base32 symbols.
    assert!(uri.starts_with("otpauth://totp/huzhu:chen.mei?"), "{uri}");
    let secret = uri.split(['?', '&']).find_map(|part| part.strip_prefix("secret=")).expect("a key");
    assert_eq!(secret.len(), 32);
    assert!(secret.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    assert!(uri.contains("issuer=huzhu"));
    // Not a terminal here: no QR code drawn with block characters.
    assert!(!printed.contains('▀') && !printed.contains('█'));

    let again = huzhu_on(data.path(), &postgres, &["operator", "add", "chen.mei"], &[]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("is the name taken?"), "{}", text(&again.stderr));

    let bad = huzhu_on(data.path(), &postgres, &["operator", "add", "chen mei"], &[]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("an operator name is 1 to 32"));
}

#[test]
fn operator_names_start_with_a_letter_or_digit_and_fit_the_list() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    // 33 characters is one more than the list's name column of 32.
    let long = "a".repeat(33);
    for name in [".", "..", "-", "_", "--help", ".hidden", long.as_str()] {
        let refused = huzhu_on(data.path(), &postgres, &["operator", "add", "--", name], &[]);
        assert!(!refused.status.success(), "{name} was accepted");
        assert!(
            text(&refused.stderr).contains("starting with a letter or digit"),
            "{name}: {}",
            text(&refused.stderr)
        );
    }
    let listed = huzhu_on(data.path(), &postgres, &["operator", "list"], &[]);
    assert!(!text(&listed.stdout).contains("enabled"), "no operator was created: {}", text(&listed.stdout));

    let longest = "7".repeat(32);
    let accepted = huzhu_on(data.path(), &postgres, &["operator", "add", &longest], &[]);
    assert!(accepted.status.success(), "{}", text(&accepted.stderr));
}

#[test]
fn operator_unlock_clears_a_pause_and_is_audited_and_refuses_an_unknown_name() {
    use huzhu_store::throttle::Limit;
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let added = huzhu_on(data.path(), &postgres, &["operator", "add", "chen.mei"], &[]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let url = postgres.clone().unwrap_or_else(|| huzhu_store::Store::sqlite_url_in(data.path()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    let now = i64::try_from(now).expect("a small number");
    let key = runtime.block_on(async {
        let store = huzhu_store::Store::connect(&url).await.expect("the database");
        let id = store.find_operator("chen.mei").await.expect("reads").expect("the operator").operator_id;
        let key = huzhu_web::operator::operator_key(id);
        // One failure at a threshold of 1 pauses her for an hour.
        let (_, locked) = store
            .record_sign_in_failure(&key, now, Limit { threshold: 1, lock_seconds: 3600 })
            .await
            .expect("the table writes");
        assert!(locked);
        store.close().await;
        key
    });

    let output = huzhu_on(data.path(), &postgres, &["operator", "unlock", "chen.mei"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("chen.mei"));
    runtime.block_on(async {
        let store = huzhu_store::Store::connect(&url).await.expect("the database");
        assert_eq!(store.locked_until(&key, now).await.expect("reads"), None, "the pause is gone");
        let filter = huzhu_store::audit::AuditFilter { event: Some("ops_unlock"), ..Default::default() };
        let rows = store.search_audit(&filter, 10, 0).await.expect("reads");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].operator.as_deref(), Some("chen.mei"));
        store.close().await;
    });

    let unknown = huzhu_on(data.path(), &postgres, &["operator", "unlock", "chen.nobody"], &[]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("there is no operator chen.nobody"));
}

#[test]
fn a_forgotten_operator_password_is_replaced_and_her_sessions_end() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let added = huzhu_on(data.path(), &postgres, &["operator", "add", "lin.hua"], &[]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let old = text(&added.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown once): "))
        .expect("add shows the password")
        .to_owned();
    let url = postgres.clone().unwrap_or_else(|| huzhu_store::Store::sqlite_url_in(data.path()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let store = runtime.block_on(huzhu_store::Store::connect(&url)).expect("the database");
    let operator_id =
        runtime.block_on(store.find_operator("lin.hua")).expect("reads").expect("added").operator_id;
    let session = signed_in_session("a-session-of-lin-hua", Some(operator_id));
    runtime.block_on(store.create_operator_session(&session)).expect("a session");

    // Any case of her name finds her, as for the other commands.
    let replaced = huzhu_on(data.path(), &postgres, &["operator", "password", "Lin.Hua"], &[]);
    assert!(replaced.status.success(), "{}", text(&replaced.stderr));
    let new = text(&replaced.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("New password of operator lin.hua (shown once): "))
        .expect("the new password is shown once")
        .to_owned();
    assert_ne!(new, old);
    // The stored hash is checked by Argon2's own verifier: the new password, not the old.
    let hash = runtime.block_on(store.find_operator("lin.hua")).expect("reads").expect("kept").password_hash;
    assert!(runtime.block_on(huzhu_web::password::verify(new, hash.clone())).expect("verifies"));
    assert!(!runtime.block_on(huzhu_web::password::verify(old, hash)).expect("verifies"));
    assert!(
        runtime.block_on(store.find_operator_session("a-session-of-lin-hua")).expect("reads").is_none(),
        "her sessions ended"
    );

    let nobody = huzhu_on(data.path(), &postgres, &["operator", "password", "nobody"], &[]);
    assert!(!nobody.status.success());
    assert!(text(&nobody.stderr).contains("there is no operator nobody"), "{}", text(&nobody.stderr));
}

#[test]
fn operator_list_shows_no_secret_and_disable_ends_sessions_until_enable() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let added = huzhu_on(data.path(), &postgres, &["operator", "add", "chen.mei"], &[]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let added = text(&added.stdout);
    let secret = |label: &str| {
        let line = added.lines().find(|l| l.starts_with(label)).expect("printed once by add");
        line.rsplit(' ').next().expect("a value").to_owned()
    };
    let (password, totp_key) = (secret("Password (shown once):"), secret("TOTP key (shown once):"));
    let url = postgres.clone().unwrap_or_else(|| huzhu_store::Store::sqlite_url_in(data.path()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let store = runtime.block_on(huzhu_store::Store::connect(&url)).expect("the database");
    // A signed-in session of hers, as the sign-in page makes one.
    let session = signed_in_session(
        "a-session-of-chen-mei",
        Some(runtime.block_on(store.find_operator("chen.mei")).expect("reads").expect("added").operator_id),
    );
    runtime.block_on(store.create_operator_session(&session)).expect("a session");
    assert!(runtime.block_on(store.find_operator_session("a-session-of-chen-mei")).expect("reads").is_some());

    let list = huzhu_on(data.path(), &postgres, &["operator", "list"], &[]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    let list = text(&list.stdout);
    let row = list.lines().find(|l| l.starts_with("chen.mei ")).expect("her row");
    assert!(row.contains("never") && row.ends_with("enabled"), "{row}");
    assert!(!list.contains(&password) && !list.contains(&totp_key), "no secret is listed");
    let hash =
        runtime.block_on(store.find_operator("chen.mei")).expect("reads").expect("added").password_hash;
    assert!(!list.contains(&hash) && !list.contains("$argon2"), "nor the hash");

    let disabled = huzhu_on(data.path(), &postgres, &["operator", "disable", "chen.mei"], &[]);
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    let record = runtime.block_on(store.find_operator("chen.mei")).expect("reads").expect("still there");
    assert!(record.disabled);
    // Disabling her again says so and writes no second audit record (counted below).
    let again = huzhu_on(data.path(), &postgres, &["operator", "disable", "chen.mei"], &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("Operator chen.mei is already disabled; nothing changed."));
    let list = text(&huzhu_on(data.path(), &postgres, &["operator", "list"], &[]).stdout);
    let row = list.lines().find(|l| l.starts_with("chen.mei ")).expect("her row");
    assert!(row.contains("disabled since"), "{row}");

    let enabled = huzhu_on(data.path(), &postgres, &["operator", "enable", "chen.mei"], &[]);
    assert!(enabled.status.success(), "{}", text(&enabled.stderr));
    let again = huzhu_on(data.path(), &postgres, &["operator", "enable", "chen.mei"], &[]);
    assert!(text(&again.stdout).contains("Operator chen.mei is already enabled; nothing changed."));
    assert!(!runtime.block_on(store.find_operator("chen.mei")).expect("reads").expect("there").disabled);
    // Enabling does not bring the session back: disabling deleted it.
    assert_eq!(runtime.block_on(store.find_operator_session("a-session-of-chen-mei")).expect("reads"), None);

    runtime.block_on(async {
        // One record each, though each command ran twice.
        for event in ["ops_disable", "ops_enable"] {
            let filter = huzhu_store::audit::AuditFilter { event: Some(event), ..Default::default() };
            let rows = store.search_audit(&filter, 10, 0).await.expect("reads");
            assert_eq!(rows.len(), 1, "{event}");
            assert_eq!(rows[0].operator.as_deref(), Some("chen.mei"));
        }
        store.close().await;
    });

    for command in ["disable", "enable"] {
        let unknown = huzhu_on(data.path(), &postgres, &["operator", command, "chen.nobody"], &[]);
        assert!(!unknown.status.success());
        assert!(text(&unknown.stderr).contains("there is no operator chen.nobody"));
    }
}

/// Runs `statements` on the test's database, one after another.
fn execute(data_dir: &std::path::Path, postgres: &Option<String>, statements: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        match postgres {
            Some(url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("PostgreSQL");
                for statement in statements {
                    sqlx::query(statement).execute(&pool).await.expect(statement);
                }
                pool.close().await;
            }
            None => {
                let url = format!("sqlite://{}", data_dir.join("huzhu.db").display());
                let pool = sqlx::SqlitePool::connect(&url).await.expect("SQLite");
                for statement in statements {
                    sqlx::query(statement).execute(&pool).await.expect(statement);
                }
                pool.close().await;
            }
        }
    });
}

#[test]
fn operator_names_do_not_depend_on_case() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    let added = huzhu_on(data.path(), &postgres, &["operator", "add", "Chen.Mei"], &[]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    // Kept lowercase, and the authenticator's label says so.
    assert!(text(&added.stdout).contains("Operator chen.mei created."), "{}", text(&added.stdout));
    assert!(text(&added.stdout).contains("otpauth://totp/huzhu:chen.mei?"));
    for twin in ["chen.mei", "CHEN.MEI", "cHEN.mEI"] {
        let again = huzhu_on(data.path(), &postgres, &["operator", "add", twin], &[]);
        assert!(!again.status.success(), "{twin} was added beside chen.mei");
        assert!(
            text(&again.stderr).contains("there is already an operator chen.mei"),
            "{}",
            text(&again.stderr)
        );
    }
    let list = text(&huzhu_on(data.path(), &postgres, &["operator", "list"], &[]).stdout);
    assert_eq!(list.lines().filter(|l| l.to_lowercase().starts_with("chen.mei ")).count(), 1, "{list}");
    assert!(list.lines().any(|l| l.starts_with("chen.mei ")), "{list}");
    // Every command finds her by any case; the audit row names her as she is kept.
    let disabled = huzhu_on(data.path(), &postgres, &["operator", "disable", "CHEN.MEI"], &[]);
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    assert!(text(&disabled.stdout).contains("Operator chen.mei is disabled"));
    let url = postgres.clone().unwrap_or_else(|| huzhu_store::Store::sqlite_url_in(data.path()));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let store = huzhu_store::Store::connect(&url).await.expect("the database");
        // Sign-in looks her up the same way.
        assert!(store.find_operator("Chen.MEI").await.expect("reads").expect("found").disabled);
        let filter = huzhu_store::audit::AuditFilter { event: Some("ops_disable"), ..Default::default() };
        let rows = store.search_audit(&filter, 10, 0).await.expect("reads");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].operator.as_deref(), Some("chen.mei"));
        store.close().await;
    });
}

#[test]
fn migrate_lowercases_operator_names_and_refuses_names_that_differ_only_by_case() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let postgres = postgres_for_test();
    assert!(huzhu_on(data.path(), &postgres, &["migrate"], &[]).status.success());
    // A database from before migration 0012, when `Chen.Mei` and `CHEN.MEI` could both be added.
    execute(
        data.path(),
        &postgres,
        &[
            "DROP INDEX operator_username_lowercase",
            "DELETE FROM _sqlx_migrations WHERE version = 12",
            "INSERT INTO operator (username, password_hash, totp_secret, created_at) VALUES \
             ('Chen.Mei', 'h', 's', 0), ('CHEN.MEI', 'h', 's', 0), ('Wang.Li', 'h', 's', 0)",
        ],
    );
    let refused = huzhu_on(data.path(), &postgres, &["migrate"], &[]);
    assert!(!refused.status.success());
    // Named in the order lower(name), then name by byte: "CH…" before "Ch…", 'H' (72) < 'h' (104).
    assert!(
        text(&refused.stderr).contains("these names differ only by case: CHEN.MEI, Chen.Mei."),
        "{}",
        text(&refused.stderr)
    );
    execute(data.path(), &postgres, &["DELETE FROM operator WHERE username = 'CHEN.MEI'"]);
    let migrated = huzhu_on(data.path(), &postgres, &["migrate"], &[]);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let list = text(&huzhu_on(data.path(), &postgres, &["operator", "list"], &[]).stdout);
    let names: Vec<&str> = list.lines().skip(1).filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(names, ["chen.mei", "wang.li"]);
}

/// Starts `huzhu serve` on a free port, reads what it prints until it listens, then stops it.
fn serve_and_read_start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> String {
    use std::io::BufRead;
    let mut command = Command::new(env!("CARGO_BIN_EXE_huzhu"));
    command
        .arg("serve")
        .env("HUZHU_DATA_DIR", data_dir)
        .env("HUZHU_LOG", "warn")
        .env("HUZHU_BIND", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("huzhu starts");
    let stdout = child.stdout.take().expect("its output");
    let mut printed = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("is listening") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    printed
}

#[test]
fn the_server_says_at_start_which_pdf_fonts_it_found() {
    // The Debian fonts scripts/install-test-deps installs, at the default paths.
    let data = tempfile::tempdir().expect("a temporary folder");
    let printed = serve_and_read_start(data.path(), &[]);
    assert!(
        printed.contains("PDF font: /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc (face 3)"),
        "{printed}"
    );
    assert!(
        printed.contains("PDF fallback font: /usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
        "{printed}"
    );
    assert!(printed.contains("is listening"), "{printed}");
}

#[test]
fn without_its_fonts_the_server_still_starts_and_says_pdf_documents_are_off() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let nowhere = data.path().join("no-such-font.ttc");
    let nowhere_fallback = data.path().join("no-such-fallback.ttf");
    let printed = serve_and_read_start(
        data.path(),
        &[
            ("HUZHU_PDF_FONT", nowhere.to_str().expect("a UTF-8 path")),
            ("HUZHU_PDF_FALLBACK_FONT", nowhere_fallback.to_str().expect("a UTF-8 path")),
        ],
    );
    assert!(printed.contains("PDF documents are off: the font"), "{printed}");
    assert!(printed.contains("no-such-font.ttc"), "{printed}");
    assert!(printed.contains("fonts-noto-cjk"), "{printed}");
    assert!(printed.contains("PDF fallback font not found"), "{printed}");
    assert!(printed.contains("fonts-hanazono"), "{printed}");
    // Sign-in and points do not need the fonts: the server runs.
    assert!(printed.contains("is listening"), "{printed}");
}

/// A signed-in session of operator `operator_id`, as the sign-in page makes one.
fn signed_in_session(
    token_hash: &str,
    operator_id: Option<i64>,
) -> huzhu_store::operators::OperatorSessionRow {
    huzhu_store::operators::OperatorSessionRow {
        token_hash: token_hash.to_owned(),
        operator_id,
        username: None,
        csrf_token: "csrf".to_owned(),
        created_at: 0,
        last_seen_at: 0,
        expires_at: i64::MAX,
    }
}
