//! Mail to a relay over TLS: STARTTLS (`smtp://…?tls=required`) and TLS from the first byte
//! (`smtps://`), against a real SMTP server on 127.0.0.1 whose certificate comes from a CA this
//! test makes, trusted by the portal through `smtp_ca_file`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use huzhu_store::Store;
use huzhu_store::outbox::NewMail;
use huzhu_web::Config;
use huzhu_web::mail::{Transport, deliver_due};
use mailin_embedded::SslConfig;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::helpers::{NURSE_ID, TestApp, csrf_of, database_for_test};
use crate::smtp::MailServer;

/// A test CA and a server certificate it signed for 127.0.0.1, as PEM files in a folder.
struct Pki {
    _folder: tempfile::TempDir,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Pki {
    fn new(ca_name: &str) -> Pki {
        // Both rustls back ends are built in; the servers below need one chosen.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let folder = tempfile::tempdir().expect("a temporary folder");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, ca_name);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("a CA key"))
            .expect("the CA certificate");
        let server_key = KeyPair::generate().expect("a server key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .expect("server parameters")
            .signed_by(&server_key, &ca)
            .expect("the server certificate");
        let write = |name: &str, text: String| {
            let path = folder.path().join(name);
            std::fs::write(&path, text).expect("a PEM file");
            path
        };
        Pki {
            ca: write("ca.pem", ca.pem()),
            cert: write("server.pem", server.pem()),
            key: write("server.key", server_key.serialize_pem()),
            _folder: folder,
        }
    }

    fn starttls(&self) -> SslConfig {
        SslConfig::Trusted {
            cert_path: path_text(&self.cert),
            key_path: path_text(&self.key),
            chain_path: path_text(&self.ca),
        }
    }
}

fn path_text(path: &Path) -> String {
    path.to_str().expect("a UTF-8 path").to_owned()
}

/// TLS from the first byte in front of a plain SMTP server: what a relay on port 465 does.
/// Each connection is decrypted with the test certificate and passed on to `backend`.
async fn implicit_tls_front(pki: &Pki, backend: u16) -> u16 {
    let certs = CertificateDer::pem_file_iter(&pki.cert)
        .expect("the certificate file")
        .collect::<Result<Vec<_>, _>>()
        .expect("the certificate");
    let key = PrivateKeyDer::from_pem_file(&pki.key).expect("the key");
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a TLS configuration");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else { return };
                let Ok(mut plain) = tokio::net::TcpStream::connect(("127.0.0.1", backend)).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

/// Asks for a reset link for the hand-made nurse and returns the mail the relay received.
async fn reset_mail_through(smtp_url: String, ca_file: &Path, inbox: &MailServer) -> crate::smtp::Received {
    let ca_file = ca_file.to_owned();
    let app = TestApp::spawn_with(move |config| {
        config.smtp_url = smtp_url;
        config.smtp_ca_file = Some(ca_file);
        config.public_url = "http://portal.example.test".to_owned();
    })
    .await;
    let page = app.get_text("/password/forgot").await;
    app.get("/captcha").await;
    let form = [
        ("csrf", csrf_of(&page)),
        ("id_number", NURSE_ID.to_owned()),
        ("email", "lin@example.org".to_owned()),
        ("captcha", "C0001".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post_form("/password/forgot", &form).await.status(), 200);
    let mails = inbox.wait_for(1).await;
    assert_eq!(mails.len(), 1, "the mail went through the TLS relay");
    mails[0].clone()
}

#[tokio::test]
async fn mail_goes_to_the_relay_over_starttls_with_a_private_ca() {
    let pki = Pki::new("huzhu test CA (STARTTLS)");
    let relay = MailServer::start_tls(pki.starttls());
    // `tls=required`: the client refuses to send unless STARTTLS succeeds with a certificate
    // that chains to the CA in smtp_ca_file and names 127.0.0.1.
    let url = format!("smtp://127.0.0.1:{}?tls=required", relay.port);
    let mail = reset_mail_through(url, &pki.ca, &relay).await;
    assert_eq!(mail.to, vec!["lin@example.org".to_owned()]);
    assert!(mail.text().contains("http://portal.example.test/password/reset?token="));
}

#[tokio::test]
async fn mail_goes_to_the_relay_over_implicit_tls_with_a_private_ca() {
    let pki = Pki::new("huzhu test CA (TLS)");
    let backend = MailServer::start();
    let port = implicit_tls_front(&pki, backend.port).await;
    // Only the TLS front listens on this port: a client speaking plain SMTP gets nowhere.
    let mail = reset_mail_through(format!("smtps://127.0.0.1:{port}"), &pki.ca, &backend).await;
    assert_eq!(mail.to, vec!["lin@example.org".to_owned()]);
    assert!(mail.text().contains("http://portal.example.test/password/reset?token="));
}

/// Sends one queued mail with the portal's sender and returns how many went out.
async fn deliver_one(config: &Config) -> usize {
    let store = Store::connect(&config.database_url()).await.expect("the database opens");
    store.migrate().await.expect("the migrations run");
    let mail = NewMail {
        recipient: "lin@example.org",
        subject: "test",
        text_body: "text",
        html_body: "<p>html</p>",
    };
    store.enqueue_mail(&mail, 1_000).await.expect("queued");
    let transport = Transport::from_config(config).expect("a transport");
    deliver_due(&store, config, &transport, 1_000).await.expect("the outbox is read")
}

async fn relay_config(folder: &Path, smtp_url: String, ca_file: Option<PathBuf>) -> Config {
    let mut config =
        Config { data_dir: folder.to_owned(), smtp_url, smtp_ca_file: ca_file, ..Config::default() };
    config.database_url = database_for_test(&config).await;
    config
}

#[tokio::test]
async fn a_relay_whose_certificate_is_not_trusted_gets_no_mail() {
    let pki = Pki::new("huzhu test CA");
    let other = Pki::new("another CA");
    let relay = MailServer::start_tls(pki.starttls());
    let url = format!("smtp://127.0.0.1:{}?tls=required", relay.port);
    let folder = tempfile::tempdir().expect("a temporary folder");

    // Neither the public roots alone nor another CA vouch for the relay's certificate: the
    // mail stays in the outbox for a retry (deliver_due counts it as not sent).
    let untrusted = relay_config(folder.path(), url.clone(), None).await;
    assert_eq!(deliver_one(&untrusted).await, 0);
    let folder = tempfile::tempdir().expect("a temporary folder");
    let wrong_ca = relay_config(folder.path(), url.clone(), Some(other.ca.clone())).await;
    assert_eq!(deliver_one(&wrong_ca).await, 0);
    // With its CA named, the same relay takes the mail.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let trusted = relay_config(folder.path(), url, Some(pki.ca.clone())).await;
    assert_eq!(deliver_one(&trusted).await, 1);
    assert_eq!(relay.received().len(), 1);
}
