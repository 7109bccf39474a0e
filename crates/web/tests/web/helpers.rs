//! A running portal for one test, with a hand-made nurse whose figures are worked out by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use huzhu_core::id::IdNumber;
use huzhu_core::profession::{PracticeStatus, Profession};
use huzhu_core::registry::{
    Certificate, Credit, EventKind, Learning, Licence, LicenceEvent, Person, Role, Sex,
};
use huzhu_core::rules::{Activity, Category};
use huzhu_store::Store;
use huzhu_store::accounts::NewAccount;
use huzhu_web::state::CaptchaText;
use huzhu_web::{Application, Config, ManualClock};

/// 2026-12-04 08:00 in Taiwan (00:00 UTC).
pub const START: i64 = 1_796_342_400;

pub const NURSE_ID: &str = "F223456786";
/// A passphrase the policy accepts (the famous "correct horse battery staple" is on its list).
pub const NURSE_PASSWORD: &str = "copper lantern over quiet harbour";
pub const NURSE_NAME: &str = "林𠀋華";

/// Captchas whose texts are known: C0001, C0002, …
pub struct KnownCaptchas(AtomicUsize);

impl CaptchaText for KnownCaptchas {
    fn next_text(&self) -> String {
        format!("C{:04}", self.0.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    /// The server's count of Argon2 hashes and verifications.
    pub argon2_runs: Arc<std::sync::atomic::AtomicU64>,
    pub store: Store,
    _data: tempfile::TempDir,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn credit(day: NaiveDate, activity: Activity, category: Category, points: &str) -> Credit {
    Credit {
        course_code: format!("T-{day}"),
        title: "測試課程".to_owned(),
        organiser: "台灣護理學會".to_owned(),
        reviewer: "台灣護理學會".to_owned(),
        activity,
        role: Role::Attendee,
        category,
        infection_control: false,
        gender: false,
        date: day,
        points: points.parse().expect("points"),
        invalid_reason: None,
    }
}

/// The nurse of the home-page test. Her licence is due 2027-05-31, so her window runs from
/// 2021-05-31 to 2027-05-30. Her credits, by hand:
///
/// | date       | category | points | counted | why                          |
/// |------------|----------|--------|---------|------------------------------|
/// | 2020-01-01 | pro      | 10.00  | 0       | before the window            |
/// | 2022-03-10 | pro      |  3.00  | 3.00    |                              |
/// | 2023-01-15 | pro (online) | 1.00 | 1.00  |                              |
/// | 2023-06-01 | quality, infection control | 2.50 | 2.50 |              |
/// | 2024-02-20 | law, gender | 1.80 | 1.80   |                              |
/// | 2024-02-20 | pro      |  1.80  | 1.80    |                              |
/// | 2025-01-01 | pro      |  5.00  | 0       | invalid at source            |
/// | 2025-07-07 | ethics   |  0.10  | 0.10    |                              |
/// | 2025-07-08 | ethics   |  0.20  | 0.20    |                              |
///
/// Counted: 3 + 1 + 2.5 + 1.8 + 1.8 + 0.1 + 0.2 = 10.40 of 120, so 109.60 are missing.
/// Categories 2–4: 2.5 + 1.8 + 0.1 + 0.2 = 4.60 of 12, so 7.40 are missing. Both topics present.
pub fn hand_made_nurse() -> Person {
    let mut infection = credit(date(2023, 6, 1), Activity::COURSE, Category::Quality, "2.50");
    infection.infection_control = true;
    let mut gender = credit(date(2024, 2, 20), Activity::COURSE, Category::Law, "1.80");
    gender.gender = true;
    let mut invalid = credit(date(2025, 1, 1), Activity::COURSE, Category::Professional, "5.00");
    invalid.invalid_reason = Some("簽到紀錄不全".to_owned());
    let credits = vec![
        credit(date(2020, 1, 1), Activity::COURSE, Category::Professional, "10.00"),
        credit(date(2022, 3, 10), Activity::COURSE, Category::Professional, "3.00"),
        credit(date(2023, 1, 15), Activity::ONLINE, Category::Professional, "1.00"),
        infection,
        gender,
        credit(date(2024, 2, 20), Activity::COURSE, Category::Professional, "1.80"),
        invalid,
        credit(date(2025, 7, 7), Activity::COURSE, Category::Ethics, "0.10"),
        credit(date(2025, 7, 8), Activity::COURSE, Category::Ethics, "0.20"),
    ];
    let learning = [(120, date(2024, 1, 2)), (200, date(2024, 5, 6)), (160, date(2025, 9, 9))]
        .into_iter()
        .map(|(minutes, completed_on)| Learning { course: "線上課程".to_owned(), minutes, completed_on })
        .collect();
    Person {
        id_number: IdNumber::parse(NURSE_ID).expect("a valid ID"),
        name: NURSE_NAME.to_owned(),
        birth_date: date(1990, 4, 5),
        sex: Sex::Female,
        email: "lin@example.org".to_owned(),
        certificates: vec![Certificate {
            profession: Profession::RegisteredNurse,
            number: "衛部護字第000001號".to_owned(),
            issued_on: date(2015, 5, 30),
        }],
        licences: vec![Licence {
            profession: Profession::RegisteredNurse,
            certificate_number: "衛部護字第000001號".to_owned(),
            number: "北市護執字第0000001號".to_owned(),
            authority: "臺北市政府衛生局".to_owned(),
            institution_code: "0101090517".to_owned(),
            registered_on: date(2015, 9, 1),
            renewal_due: date(2027, 5, 31),
            status: PracticeStatus::Practising,
            events: vec![
                LicenceEvent { kind: EventKind::Registered, date: date(2015, 9, 1), note: None },
                LicenceEvent { kind: EventKind::Renewed, date: date(2021, 3, 1), note: None },
            ],
        }],
        credits,
        learning,
    }
}

impl TestApp {
    /// The number of mails not yet marked sent, once it has stopped falling. The relay has a
    /// mail before the sender hears its "250 OK" and marks the row sent, so a test that has
    /// just seen the mail arrive waits (in real time, at most 15 s) for that mark.
    pub async fn unsent_mail_after_delivery(&self) -> i64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let unsent = self.store.unsent_mail_count().await.expect("a count");
            if unsent == 0 || std::time::Instant::now() > deadline {
                return unsent;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data = tempfile::tempdir().expect("a temporary folder");
        let mut config = Config {
            bind: "127.0.0.1:0".parse().expect("an address"),
            data_dir: data.path().to_owned(),
            ..Config::default()
        };
        adjust(&mut config);

        config.database_url = database_for_test(&config).await;
        let config_url = config.database_url.clone();
        let store = Store::connect(&config.database_url()).await.expect("the database opens");
        store.migrate().await.expect("the migrations run");
        seed(&store).await;

        let clock = ManualClock::at(START);
        let app = Application::build(config, store.clone(), Arc::new(clock.clone()))
            .await
            .expect("the application builds")
            .with_captcha_text(Arc::new(KnownCaptchas(AtomicUsize::new(0))));
        let base = format!("http://{}", app.local_addr().expect("an address"));
        let argon2_runs = app.argon2_runs();
        tokio::spawn(app.run_until(std::future::pending()));

        let client = new_browser();
        TestApp { base, database_url: config_url, client, clock, store, argon2_runs, _data: data }
    }

    /// Loads another registry person with a verified account.
    pub async fn add_member(&self, person: Person, password: &str) {
        let keys = self.store.next_keys().await.expect("keys");
        let email = person.email.clone();
        self.store.insert_people(&[person], keys).await.expect("the person loads");
        let hash = huzhu_web::password::hash(password.to_owned()).await.expect("a hash");
        self.store
            .create_account(&NewAccount {
                person_id: keys.person_id,
                email: &email,
                password_hash: &hash,
                policy_version: 1,
                created_at: START - 86_400,
                verified_at: Some(START - 86_000),
            })
            .await
            .expect("the account is created");
    }

    /// A second server process on the same database, as behind a load balancer. It shares this
    /// app's client, whose cookies (kept per host, not per port) reach both, and its clock.
    pub async fn twin(&self) -> String {
        let config = Config {
            bind: "127.0.0.1:0".parse().expect("an address"),
            data_dir: self._data.path().to_owned(),
            database_url: self.database_url.clone(),
            ..Config::default()
        };
        let store = Store::connect(&config.database_url()).await.expect("the database opens");
        let app = Application::build(config, store, Arc::new(self.clock.clone()))
            .await
            .expect("the twin builds")
            .with_captcha_text(Arc::new(KnownCaptchas(AtomicUsize::new(1000))));
        let base = format!("http://{}", app.local_addr().expect("an address"));
        tokio::spawn(app.run_until(std::future::pending()));
        base
    }

    /// The Argon2 runs the server has made so far.
    pub fn argon2_count(&self) -> u64 {
        self.argon2_runs.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("the request is answered")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("a body")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).form(form).send().await.expect("the request is answered")
    }

    /// Opens the sign-in page and draws its captcha; returns the page's CSRF token.
    pub async fn open_login(&self) -> String {
        let page = self.get_text("/login").await;
        let captcha = self.get("/captcha").await;
        assert_eq!(captcha.status(), 200);
        csrf_of(&page)
    }

    pub async fn sign_in(&self, id: &str, password: &str, captcha: &str) -> reqwest::Response {
        let csrf = self.open_login().await;
        self.post_form(
            "/login",
            &[("csrf", &csrf), ("id_number", id), ("password", password), ("captcha", captcha)],
        )
        .await
    }
}

/// A client with a cookie store of its own, as another browser: no session, no device cookie.
pub fn new_browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// A browser that brings the cookie `name=value` to `base`, as if it had been set earlier.
pub fn browser_with_cookie(base: &str, name: &str, value: &str) -> reqwest::Client {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("{name}={value}; Path=/"),
        &base.parse::<reqwest::Url>().expect("the app's address"),
    );
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// The database a test runs on: a SQLite file in its data folder, or, when
/// `HUZHU_TEST_POSTGRES_URL` names a PostgreSQL server, a new database of its own there. The
/// whole suite runs once on each engine.
pub async fn database_for_test(config: &Config) -> String {
    match std::env::var("HUZHU_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            let name = format!("huzhu_test_{}", hex_suffix());
            Store::create_postgres_database(&server, &name).await.expect("a scratch PostgreSQL database")
        }
        _ => Store::sqlite_url_in(&config.data_dir),
    }
}

fn hex_suffix() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("the page has a CSRF field");
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

/// The session cookie a response sets, if any.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("huzhu_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

async fn seed(store: &Store) {
    store
        .insert_institutions(&[("0101090517".to_owned(), "臺北市立聯合醫院".to_owned())])
        .await
        .expect("institutions load");
    let keys = store.next_keys().await.expect("keys");
    store.insert_people(&[hand_made_nurse()], keys).await.expect("the nurse loads");
    let hash = huzhu_web::password::hash(NURSE_PASSWORD.to_owned()).await.expect("a hash");
    store
        .create_account(&NewAccount {
            person_id: keys.person_id,
            email: "lin@example.org",
            password_hash: &hash,
            policy_version: 1,
            created_at: START - 86_400,
            verified_at: Some(START - 86_000),
        })
        .await
        .expect("the account is created");
}

/// The value of the device cookie a response sets.
pub fn device_cookie_value(response: &reqwest::Response) -> String {
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("huzhu_device="))
        .expect("a device cookie")
        .to_owned();
    header["huzhu_device=".len()..].split(';').next().unwrap_or_default().to_owned()
}
