//! Password hashing with Argon2id, on threads of its own, one per core.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, mpsc};

use anyhow::Context;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How many hashes may wait for a core, per core, before more are refused at once. A hash
/// takes tens of milliseconds, so the wait stays well under a second; a request beyond it gets
/// a quick 503 rather than a long wait that ends in the client's timeout.
const WAITING_PER_CORE: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes run on one thread per core, kept for the life of the process. Each hash needs
/// 19 MiB and a whole core while it runs: more at once would finish no sooner. A verification
/// works in its thread's own 19 MiB, kept from one to the next (see [`verify_now`]).
struct Gate {
    jobs: mpsc::Sender<Job>,
    in_flight: AtomicUsize,
    most_in_flight: usize,
}

static GATE: LazyLock<Gate> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = std::sync::Arc::new(Mutex::new(queue));
    for n in 0..cores {
        let queue = queue.clone();
        let worker = move || {
            loop {
                // The lock is held only while taking a job, not while running it.
                let job = match queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            }
        };
        if let Err(error) = std::thread::Builder::new().name(format!("password-{n}")).spawn(worker) {
            tracing::error!(%error, "could not start a password thread");
        }
    }
    Gate { jobs, in_flight: AtomicUsize::new(0), most_in_flight: cores * (1 + WAITING_PER_CORE) }
});

/// Too many password checks are waiting already; the request is refused with a 503.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks are waiting")]
pub struct Busy;

/// Counts one check in flight until dropped, also when the request is abandoned midway.
struct InFlight(&'static Gate);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A place among the password checks in flight. The sign-in takes it before anything that
/// cannot be undone, such as using up the captcha, so a refusal costs the member nothing.
pub struct Ticket(InFlight);

/// A place among the checks in flight, or [`Busy`] when one per core is running and 16 per
/// core are waiting.
pub fn ticket() -> Result<Ticket, Busy> {
    let gate: &'static Gate = &GATE;
    let in_flight = InFlight(gate);
    if gate.in_flight.fetch_add(1, Ordering::SeqCst) >= gate.most_in_flight {
        return Err(Busy);
    }
    Ok(Ticket(in_flight))
}

impl Ticket {
    /// Whether `password` matches `stored`. A malformed stored hash is treated as no match.
    pub async fn verify(self, password: String, stored: String) -> anyhow::Result<bool> {
        self.verify_peppered(password, stored, None).await
    }

    /// Whether `password` matches `stored`, a hash made with `pepper` when it names the
    /// pepper's key id, or made without one when it names none.
    pub async fn verify_peppered(
        self,
        password: String,
        stored: String,
        pepper: Option<Pepper>,
    ) -> anyhow::Result<bool> {
        self.run(move || verify_now(password.as_bytes(), &stored, pepper.as_ref())).await
    }

    /// Runs `work` on a password thread when one is free.
    async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // A panic stays on this thread's job: the caller sees an error, the thread lives on.
            if let Ok(value) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                let _ = done.send(value);
            }
        });
        self.0.0.jobs.send(job).map_err(|_| anyhow::anyhow!("the password threads have stopped"))?;
        let value = result.await.context("a password check failed")?;
        drop(self);
        Ok(value)
    }
}

/// A secret key that every new password hash is made with (Argon2's "secret" input, ASVS
/// 2.4.5): kept in the configuration, never in the database, so a stolen copy of the database
/// cannot be attacked offline without it. A hash made with it carries the key's id (the first
/// 8 bytes of the key's SHA-256) in its `keyid` parameter; hashes made before a pepper was set
/// carry none and still verify, and are made again with the pepper at the member's next
/// sign-in (see [`needs_rehash`]).
#[derive(Clone)]
pub struct Pepper {
    key: std::sync::Arc<[u8]>,
    id: [u8; 8],
}

impl Pepper {
    /// Reads a pepper written as hex; at least 32 bytes (64 hex digits).
    pub fn from_hex(text: &str) -> anyhow::Result<Pepper> {
        let key = hex::decode(text.trim()).context("the password pepper is not hex")?;
        anyhow::ensure!(key.len() >= 32, "the password pepper must be at least 32 bytes (64 hex digits)");
        let digest = Sha256::digest(&key);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        Ok(Pepper { key: key.into(), id })
    }

    /// A 32-byte key for another use of the same secret (`label` names the use), so one
    /// setting protects both password hashes and operators' TOTP keys without reusing a key.
    pub(crate) fn derive(&self, label: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(label.as_bytes());
        hasher.update([0]);
        hasher.update(&self.key);
        hasher.finalize().into()
    }
}

/// Hashes `password` with Argon2id at the library's defaults (m = 19 MiB, t = 2, p = 1, the
/// OWASP minimum). Runs on a password thread: a hash takes tens of milliseconds.
pub async fn hash(password: String) -> anyhow::Result<String> {
    hash_peppered(password, None).await
}

/// Hashes `password` as [`hash`] does, with `pepper` as Argon2's secret when one is set.
pub async fn hash_peppered(password: String, pepper: Option<Pepper>) -> anyhow::Result<String> {
    ticket()?.run(move || hash_now_peppered(&password, pepper.as_ref())).await?
}

/// Hashes on the calling thread, for command-line tools and bulk data generation.
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    hash_now_peppered(password, None)
}

/// Hashes on the calling thread with `pepper` as Argon2's secret when one is set.
pub fn hash_now_peppered(password: &str, pepper: Option<&Pepper>) -> anyhow::Result<String> {
    let failed = |error: argon2::Error| anyhow::anyhow!("hashing a password: {error}");
    let argon2 = match pepper {
        None => Argon2::default(),
        Some(pepper) => {
            let mut params = argon2::ParamsBuilder::default();
            params.keyid(argon2::KeyId::new(&pepper.id).map_err(failed)?);
            let params = params.build().map_err(failed)?;
            Argon2::new_with_secret(&pepper.key, Algorithm::Argon2id, Version::V0x13, params)
                .map_err(failed)?
        }
    };
    argon2
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("hashing a password: {error}"))
}

/// Whether a hash that just verified should be made again: a pepper is set and the hash was
/// not made with it.
pub fn needs_rehash(stored: &str, pepper: Option<&Pepper>) -> bool {
    let Some(pepper) = pepper else { return false };
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    Params::try_from(&parsed).map(|params| params.keyid() != pepper.id).unwrap_or(false)
}

/// Whether `password` matches `stored`. A malformed stored hash is treated as no match.
pub async fn verify(password: String, stored: String) -> anyhow::Result<bool> {
    ticket()?.verify(password, stored).await
}

/// Whether `password` matches `stored`, with this server's pepper (see [`Pepper`]).
pub async fn verify_peppered(
    password: String,
    stored: String,
    pepper: Option<Pepper>,
) -> anyhow::Result<bool> {
    ticket()?.verify_peppered(password, stored, pepper).await
}

thread_local! {
    /// The Argon2 working memory of this thread, reused by every verification on it. Allocating
    /// 19 MiB afresh for each one made the allocator keep one more block resident after each
    /// of the first sign-ins: about 20 MB a sign-in until it settled near 200 MB.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What `PasswordVerifier::verify_password` does (the stored hash's own algorithm, version and
/// parameters; a constant-time comparison), in this thread's reused memory.
fn verify_now(password: &[u8], stored: &str, pepper: Option<&Pepper>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) =
        (Params::try_from(&parsed), Algorithm::try_from(parsed.algorithm.as_str()))
    else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let blocks = params.block_count();
    // A hash names the pepper it was made with; one made with another pepper, or with a
    // pepper this server does not have, matches nothing.
    let argon2 = match (params.keyid(), pepper) {
        ([], _) => Argon2::new(algorithm, version, params),
        (id, Some(pepper)) if id == pepper.id => {
            match Argon2::new_with_secret(&pepper.key, algorithm, version, params) {
                Ok(argon2) => argon2,
                Err(_) => return false,
            }
        }
        _ => return false,
    };
    let mut computed = vec![0u8; expected.len()];
    let hashed = MEMORY.with_borrow_mut(|memory| {
        memory.resize(blocks, Block::default());
        argon2.hash_password_into_with_memory(password, salt, &mut computed, &mut memory[..blocks])
    });
    hashed.is_ok() && bool::from(computed.ct_eq(expected.as_bytes()))
}

/// A hash of a random password, to verify against for IDs without an account; made with the
/// pepper when one is set, so an unknown ID costs what a known one does.
pub async fn dummy_hash(pepper: Option<Pepper>) -> anyhow::Result<String> {
    let random: [u8; 16] = rand::random();
    hash_peppered(hex::encode(random), pepper).await
}
