//! The real `huzhu-agent` binary against a SoftHSM2 token holding a test card's key and
//! certificate, driven over HTTP as the sign-in page drives it.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use huzhu_agent::protocol::encode;
use huzhu_hca::test_pki::{CardSpec, TestCard, TestPki};
use huzhu_hca::{Policy, SignedChallenge, TrustStore};
use serde_json::{Value, json};

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PORTAL: &str = "http://portal.example.test";
const PIN: &str = "246801";
const SO_PIN: &str = "13579135";
/// 2026-12-04T00:00:00Z; the cards are valid a year either side.
const NOW: i64 = 1_796_342_400;
const YEAR: i64 = 365 * 86_400;

/// A SoftHSM2 configuration and token folder of the test's own.
struct Token {
    dir: tempfile::TempDir,
}

impl Token {
    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    fn empty() -> Token {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).expect("token folder");
        let conf = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        );
        std::fs::write(dir.path().join("softhsm2.conf"), conf).expect("write conf");
        Token { dir }
    }

    /// A token labelled like a card, holding `card`'s key and certificate under id 01.
    fn with_card(card: &TestCard) -> Token {
        let token = Token::empty();
        let key = token.dir.path().join("key.pem");
        let cert = token.dir.path().join("cert.der");
        std::fs::write(&key, &card.key_pkcs8_pem).expect("write key");
        std::fs::write(&cert, &card.certificate_der).expect("write cert");
        token.run(
            "softhsm2-util",
            &["--init-token", "--free", "--label", "HCA", "--pin", PIN, "--so-pin", SO_PIN],
        );
        let key = key.to_str().expect("UTF-8 path");
        token.run(
            "softhsm2-util",
            &["--import", key, "--token", "HCA", "--label", "sign", "--id", "01", "--pin", PIN],
        );
        let cert = cert.to_str().expect("UTF-8 path");
        let write =
            ["--module", SOFTHSM, "--token-label", "HCA", "--login", "--pin", PIN, "--write-object", cert];
        token
            .run("pkcs11-tool", &[&write[..], &["--type", "cert", "--id", "01", "--label", "sign"]].concat());
        token
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .unwrap_or_else(|e| panic!("run {program} (Debian packages softhsm2, opensc): {e}"));
        assert!(output.status.success(), "{program} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// The agent binary, on a free port, against `token`. Stopped (by its own handle) when dropped.
struct Agent {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Agent {
    fn start(token: &Token) -> Agent {
        Agent::start_with(token, &[])
    }

    fn start_with(token: &Token, extra: &[&str]) -> Agent {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huzhu-agent"))
            .args(["--module", SOFTHSM, "--origin", PORTAL, "--port", "0"])
            .args(extra)
            .env("SOFTHSM2_CONF", token.conf())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start huzhu-agent");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the listening line");
        let url = line.trim().rsplit(' ').next().expect("an address").to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        Agent { child, url, client: reqwest::Client::new() }
    }

    async fn post(&self, origin: &str, body: String) -> reqwest::Response {
        self.client
            .post(&self.url)
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the agent answers")
    }

    /// Calls a function and returns its decoded `result`.
    async fn call(&self, request: Value) -> String {
        let response = self.post(PORTAL, encode(&request)).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["access-control-allow-origin"], PORTAL);
        let answer: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
        let result = STANDARD.decode(answer["result"].as_str().expect("a result")).expect("Base64");
        String::from_utf8(result).expect("UTF-8")
    }

    async fn last_error(&self) -> String {
        self.call(json!({"functionname": "ATL_GetErrorCode"})).await
    }

    /// Stops the agent and returns everything it wrote to its log.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut log);
        }
        log
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pin_session(pin: &str) -> Value {
    json!({
        "functionname": "ATL_InitSession", "hModule": 1, "flags": 6,
        "userPin": STANDARD.encode(pin), "userPin_ServiSignBase64Flag": true,
    })
}

fn store_for(pki: &TestPki) -> TrustStore {
    let mut store = TrustStore::new();
    store.add_anchor(pki.root_der()).expect("root");
    store.add_intermediate(pki.hca_der()).expect("HCA");
    store.add_crl(pki.root_crl(NOW - 86_400, NOW + 86_400)).expect("CRL");
    store.add_crl(pki.hca_crl(&[], NOW - 86_400, NOW + 86_400)).expect("CRL");
    store
}

#[tokio::test]
async fn the_agent_signs_a_challenge_with_the_card_that_the_portal_accepts() {
    let pki = TestPki::new();
    let card = pki.card(&CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR));
    let token = Token::with_card(&card);
    let agent = Agent::start(&token);
    let challenge = "huzhu-card:Zm9yIHRoZSB0ZXN0IG9ubHk";

    // Echo gives the versions; a module handle; the card type before the PIN.
    agent.call(json!({"functionname": "Echo"})).await;
    assert_eq!(agent.call(json!({"functionname": "ATL_InitModule", "libdir": "HCAPKCS11.dll"})).await, "1");
    assert_eq!(agent.call(json!({"functionname": "ATL_GetHCACardType", "hModule": 1})).await, "1");
    // A wrong PIN: no session, and error 9039.
    assert_eq!(agent.call(pin_session("000000")).await, "0");
    assert_eq!(agent.last_error().await, "9039");
    let session = agent.call(pin_session(PIN)).await;
    assert_ne!(session, "0");
    assert_eq!(agent.last_error().await, "0");
    let cert_b64 = agent
        .call(json!({"functionname": "ATL_GetCertificateFromGPKICard", "hModule": 1, "hSession": session, "index": 1}))
        .await;
    assert_eq!(STANDARD.decode(&cert_b64).expect("Base64"), card.certificate_der);
    let basic = agent.call(json!({"functionname": "ATL_GetHCABasicData", "hSession": session})).await;
    assert_eq!(basic, "王小明;;;;;");
    let key = agent
        .call(json!({"functionname": "ATL_GetKeyObjectHandle", "hModule": 1, "hSession": session, "keyType": 0, "keyId": "1"}))
        .await;
    let signature = agent
        .call(json!({
            "functionname": "ATL_MakeSignatureEx2", "hModule": 1, "hSession": session,
            "mechanism": 64, "flags": 0, "hKey": key,
            "b64Data": STANDARD.encode(challenge), "b64Data_ServiSignBase64Flag": true,
        }))
        .await;
    assert_eq!(agent.call(json!({"functionname": "ATL_CloseSession", "hSession": session})).await, "1");
    assert_eq!(agent.call(json!({"functionname": "ATL_CloseModule", "hModule": 1})).await, "1");

    // The portal's own verifier accepts what the agent produced.
    let signature = STANDARD.decode(signature).expect("Base64");
    let signed = SignedChallenge {
        certificate_der: &card.certificate_der,
        signature: &signature,
        challenge: challenge.as_bytes(),
    };
    let verified = huzhu_hca::verify(&store_for(&pki), &Policy::default(), signed, NOW).expect("accepted");
    assert_eq!(verified.common_name, "王小明");
    // The PIN never reaches the log, in either form.
    let log = agent.stop();
    assert!(!log.contains(PIN) && !log.contains(&STANDARD.encode(PIN)), "{log}");
}

#[tokio::test]
async fn an_institution_card_reports_card_type_zero() {
    let pki = TestPki::new();
    let mut spec = CardSpec::professional("某某醫院", NOW - YEAR, NOW + YEAR);
    spec.holder_type = huzhu_hca::INSTITUTION_CARD.to_owned();
    let token = Token::with_card(&pki.card(&spec));
    let agent = Agent::start(&token);

    agent.call(json!({"functionname": "ATL_InitModule"})).await;

    assert_eq!(agent.call(json!({"functionname": "ATL_GetHCACardType", "hModule": 1})).await, "0");
}

#[tokio::test]
async fn without_a_card_the_answer_is_9056() {
    let token = Token::empty();
    let agent = Agent::start(&token);

    assert_eq!(agent.call(json!({"functionname": "ATL_InitModule"})).await, "1");
    assert_eq!(agent.call(pin_session(PIN)).await, "0");
    assert_eq!(agent.last_error().await, "9056");
    assert_eq!(agent.call(json!({"functionname": "ATL_GetHCACardType", "hModule": 1})).await, "0");
    assert_eq!(agent.last_error().await, "9056");
}

#[tokio::test]
async fn only_configured_origins_on_a_loopback_host_are_answered() {
    let token = Token::empty();
    let agent = Agent::start(&token);
    let echo = encode(&json!({"functionname": "Echo"}));

    let stranger = agent.post("https://evil.example", echo.clone()).await;
    assert_eq!(stranger.status(), 403);
    assert!(stranger.headers().get("access-control-allow-origin").is_none());

    // Chrome's preflight for a public page reaching a private address.
    let preflight = agent
        .client
        .request(reqwest::Method::OPTIONS, &agent.url)
        .header("Origin", PORTAL)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Private-Network", "true")
        .send()
        .await
        .expect("answered");
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], PORTAL);
    assert_eq!(preflight.headers()["access-control-allow-private-network"], "true");

    // A rebound name arrives with its own Host.
    let port = agent.url.rsplit(':').next().expect("a port");
    let rebound = agent
        .client
        .post(&agent.url)
        .header("Host", format!("evil.example:{port}"))
        .header("Origin", PORTAL)
        .body(echo)
        .send()
        .await
        .expect("answered");
    assert_eq!(rebound.status(), 403);

    let garbage = agent.post(PORTAL, "Parameter=%%%".to_owned()).await;
    assert_eq!(garbage.status(), 400);
    let oversized = agent.post(PORTAL, "A".repeat(100_000)).await;
    assert_eq!(oversized.status(), 413);
}

fn key_handle(session: &str) -> Value {
    json!({"functionname": "ATL_GetKeyObjectHandle", "hModule": 1, "hSession": session, "keyType": 0, "keyId": "1"})
}

#[tokio::test]
async fn a_pin_session_the_page_left_open_is_ended_by_the_next_pin_entry() {
    let pki = TestPki::new();
    let token = Token::with_card(&pki.card(&CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR)));
    let agent = Agent::start(&token);
    assert_eq!(agent.call(json!({"functionname": "ATL_InitModule"})).await, "1");
    // The page stops after the PIN: no CloseSession, no CloseModule.
    let abandoned = agent.call(pin_session(PIN)).await;
    assert_ne!(abandoned, "0");

    // The next PIN entry is checked afresh: a wrong one is a wrong PIN, not "already logged in".
    assert_eq!(agent.call(pin_session("000000")).await, "0");
    assert_eq!(agent.last_error().await, "9039");
    let fresh = agent.call(pin_session(PIN)).await;
    assert_ne!(fresh, "0");
    assert_ne!(fresh, abandoned);
    // The abandoned handle no longer signs: unknown session, 61900.
    assert_eq!(agent.call(key_handle(&abandoned)).await, "0");
    assert_eq!(agent.last_error().await, "61900");
    assert_ne!(agent.call(key_handle(&fresh)).await, "0");
    // Handles are random, not 1, 2, 3: both are numbers below 2^53, and the chance that a
    // random one falls below 2^20 is 2^-33.
    for handle in [&abandoned, &fresh] {
        let number: u64 = handle.parse().expect("a number");
        assert!((1 << 20..1 << 53).contains(&number), "{handle}");
    }
}

#[tokio::test]
async fn a_pin_session_left_unused_is_logged_out() {
    let pki = TestPki::new();
    let token = Token::with_card(&pki.card(&CardSpec::professional("王小明", NOW - YEAR, NOW + YEAR)));
    let agent = Agent::start_with(&token, &["--session-idle-seconds", "1"]);
    assert_eq!(agent.call(json!({"functionname": "ATL_InitModule"})).await, "1");
    let session = agent.call(pin_session(PIN)).await;
    assert_ne!(session, "0");

    // Three seconds is past the one-second limit and a sweep (every second) whatever the timing.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    assert_eq!(agent.call(key_handle(&session)).await, "0");
    assert_eq!(agent.last_error().await, "61900");
    let log = agent.stop();
    assert!(log.contains("an idle card session was logged out"), "{log}");
}

#[tokio::test]
async fn the_log_level_is_a_setting() {
    let token = Token::empty();
    let echo = json!({"functionname": "Echo"});

    // At the default level (info) each call is not logged; at debug it is, by name only.
    let quiet = Agent::start(&token);
    quiet.call(echo.clone()).await;
    let quiet_log = quiet.stop();
    let chatty = Agent::start_with(&token, &["--log", "debug"]);
    chatty.call(echo).await;
    let chatty_log = chatty.stop();

    assert!(!quiet_log.contains("DEBUG"), "{quiet_log}");
    assert!(chatty_log.contains("DEBUG") && chatty_log.contains("function=\"Echo\""), "{chatty_log}");
}
