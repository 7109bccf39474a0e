//! The portal and a PostgreSQL restart: requests during the outage fail fast with the calm
//! error page, readiness says so, and service comes back by itself.
//!
//! The test runs its own PostgreSQL server (scripts/test-postgres on a port of its own), since
//! it stops and starts it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use huzhu_store::Store;
use huzhu_web::{Application, Config, SystemClock};

// Below the ephemeral port range, like scripts/test-postgres's own default.
const PORT: &str = "25433";

fn postgres(action: &str) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-postgres");
    let output = Command::new("bash")
        .arg(script)
        .arg(action)
        .env("HUZHU_TEST_PG_PORT", PORT)
        .env("HUZHU_TEST_PG_DIR", "/tmp/huzhu-outage-postgres")
        .output()
        .expect("the PostgreSQL script runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test]
async fn a_postgres_restart_gives_fast_503s_then_recovers_without_a_restart() {
    let server = postgres("restart");
    let name = format!("huzhu_outage_{}", std::process::id());
    let url = Store::create_postgres_database(&server, &name).await.expect("a database");
    let data = tempfile::tempdir().expect("a folder");
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("an address"),
        data_dir: data.path().to_owned(),
        database_url: url.clone(),
        ..Config::default()
    };
    let store = Store::connect(&url).await.expect("connects");
    store.migrate().await.expect("migrates");
    let app = Application::build(config, store, Arc::new(SystemClock)).await.expect("builds");
    let base = format!("http://{}", app.local_addr().expect("an address"));
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("a client");

    assert_eq!(client.get(format!("{base}/readyz")).send().await.expect("answered").status(), 200);

    postgres("stop");
    for path in ["/readyz", "/login"] {
        let started = Instant::now();
        let response = client.get(format!("{base}{path}")).send().await.expect("answered, not hung");
        let waited = started.elapsed();
        assert_eq!(response.status(), 503, "{path}");
        // The pool gives up after its 3-second acquire timeout.
        assert!(waited < Duration::from_secs(10), "{path} took {waited:?}");
        if path == "/login" {
            let page = response.text().await.expect("a body");
            assert!(page.contains("系統暫時無法處理您的要求"), "the calm error page");
            assert!(!page.contains("sqlx") && !page.contains("Connection refused"), "no internals");
        }
    }

    postgres("start");
    let mut ready = false;
    for _ in 0..30 {
        if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(ready, "the portal recovered by itself");
    assert_eq!(client.get(format!("{base}/login")).send().await.expect("answered").status(), 200);
    // The server is this test's own: it is not left running.
    postgres("stop");
}
