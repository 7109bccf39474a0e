//! A real SMTP server on 127.0.0.1 for the tests (mailin-embedded), and what it received.

use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// One mail as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: String,
}

impl Received {
    /// The plain-text part, decoded from quoted-printable or base64.
    pub fn text(&self) -> String {
        part_body(&self.raw, "text/plain")
    }

    pub fn html(&self) -> String {
        part_body(&self.raw, "text/html")
    }

    /// The first link in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<String> {
        let text = self.text();
        let start = text.find(prefix)?;
        Some(text[start..].split_whitespace().next().unwrap_or_default().to_owned())
    }
}

#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
    /// Recipients answered with a reply code of their own (550, 451 …) instead of 250.
    refusals: Arc<Vec<(String, u16)>>,
    /// Every recipient a client named (RCPT TO), accepted or not.
    rcpts: Arc<Mutex<Vec<String>>>,
}

impl Handler for Collector {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let to = to.trim_matches(|c| c == '<' || c == '>').to_owned();
        self.rcpts.lock().expect("the recipients lock").push(to.clone());
        match self.refusals.iter().find(|(address, _)| *address == to) {
            // As real relays answer, quoting the address.
            Some((_, code)) => Response::custom(*code, format!("<{to}>: Recipient address rejected")),
            None => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = Received { to: self.to.clone(), raw: String::from_utf8_lossy(&self.data).into_owned() };
        self.inbox.lock().expect("the inbox lock").push(mail);
        response::OK
    }
}

/// A running SMTP server and its inbox.
#[derive(Clone)]
pub struct MailServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    rcpts: Arc<Mutex<Vec<String>>>,
}

impl MailServer {
    pub fn start() -> MailServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        MailServer::serve(listener)
    }

    /// Starts a server on a port chosen earlier (to bring a "down" relay back).
    pub fn start_on(port: u16) -> MailServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
        MailServer::serve(listener)
    }

    /// A server that offers STARTTLS with this certificate (and requires nothing: whether TLS
    /// is used is the client's choice, which is what the test checks from the client side).
    pub fn start_tls(ssl: SslConfig) -> MailServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        MailServer::serve_with(listener, ssl)
    }

    /// A server that answers each of these recipients with its code (550 refuses for good,
    /// 451 for now) and accepts everyone else.
    pub fn start_refusing(refusals: &[(&str, u16)]) -> MailServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let refusals = refusals.iter().map(|(address, code)| ((*address).to_owned(), *code)).collect();
        MailServer::serve_refusing(listener, SslConfig::None, refusals)
    }

    fn serve(listener: TcpListener) -> MailServer {
        MailServer::serve_with(listener, SslConfig::None)
    }

    fn serve_with(listener: TcpListener, ssl: SslConfig) -> MailServer {
        MailServer::serve_refusing(listener, ssl, Vec::new())
    }

    fn serve_refusing(listener: TcpListener, ssl: SslConfig, refusals: Vec<(String, u16)>) -> MailServer {
        let port = listener.local_addr().expect("an address").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let rcpts = Arc::new(Mutex::new(Vec::new()));
        let collector = Collector {
            inbox: inbox.clone(),
            to: Vec::new(),
            data: Vec::new(),
            refusals: Arc::new(refusals),
            rcpts: rcpts.clone(),
        };
        let mut server = Server::new(collector);
        server
            .with_name("test.smtp")
            .with_num_threads(2)
            .with_ssl(ssl)
            .expect("the certificate loads")
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        MailServer { port, inbox, rcpts }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// How many times a client named this recipient, whatever the answer.
    pub fn attempts_for(&self, address: &str) -> usize {
        self.rcpts.lock().expect("the recipients lock").iter().filter(|to| *to == address).count()
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("the inbox lock").clone()
    }

    /// Waits (in real time: delivery is asynchronous) until `count` mails have arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let mails = self.received();
            if mails.len() >= count || Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A port on which nothing listens: a relay that is down.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

fn part_body(raw: &str, content_type: &str) -> String {
    let Some(start) = raw.find(&format!("Content-Type: {content_type}")) else {
        return String::new();
    };
    let part = &raw[start..];
    let Some(blank) = part.find("\r\n\r\n") else {
        return String::new();
    };
    let (headers, rest) = part.split_at(blank);
    let body = rest[4..].split("\r\n--").next().unwrap_or_default();
    if headers.contains("Content-Transfer-Encoding: base64") {
        let compact: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    } else if headers.contains("Content-Transfer-Encoding: quoted-printable") {
        decode_quoted_printable(body)
    } else {
        body.to_owned()
    }
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
