//! The card, through PKCS#11: one module, its sessions, and the last error, as ServiSign keeps
//! them. The page passes back the handles it is given.
//!
//! A logged-in session lets its holder sign without the PIN, so its handle is random (53 bits,
//! so a page that turns it into a JavaScript number loses nothing), it ends after
//! `idle` without a call, and a new `ATL_InitSession` ends any earlier one. Every end logs the
//! card out before closing the session: PKCS#11 keeps one login per application, so a session
//! left logged in would also make every later PIN entry fail as "already logged in".

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use serde_json::Value;

use crate::codes;
use crate::protocol::{Call, ProtocolError, answer};

/// PKCS#11 mechanisms the page asks for (DOMAIN.md §4.2).
const CKM_SHA256_RSA_PKCS: u64 = 0x40;
const CKM_SHA1_RSA_PKCS: u64 = 0x06;
/// The one module handle given out: the module is the configured one, whatever name the page
/// sends (it sends the vendor's DLL name).
const MODULE_HANDLE: &str = "1";

/// How long a logged-in session may go without a call before it is logged out and closed.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);

pub struct Agent {
    module_path: PathBuf,
    module: Option<Pkcs11>,
    sessions: HashMap<u64, Live>,
    idle: Duration,
    last_error: i64,
}

/// A logged-in session and when the page last used it.
struct Live {
    session: Session,
    used_at: Instant,
}

impl Live {
    /// Logs the card out and closes the session (by dropping it).
    fn end(self) {
        if let Err(error) = self.session.logout() {
            tracing::info!(%error, "logging out an ended session failed");
        }
    }
}

/// A failure with its HCA error code.
struct Failed(i64);

impl From<CkError> for Failed {
    fn from(error: CkError) -> Failed {
        Failed(code_of(&error))
    }
}

impl From<ProtocolError> for Failed {
    fn from(_: ProtocolError) -> Failed {
        Failed(codes::BAD_REQUEST)
    }
}

/// The HCA code of a PKCS#11 failure.
pub fn code_of(error: &CkError) -> i64 {
    match error {
        CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _) => codes::PIN_INCORRECT,
        CkError::Pkcs11(RvError::PinLocked, _) => codes::PIN_LOCKED,
        CkError::Pkcs11(
            RvError::TokenNotPresent
            | RvError::TokenNotRecognized
            | RvError::DeviceRemoved
            | RvError::SlotIdInvalid,
            _,
        ) => codes::NO_CARD,
        CkError::LibraryLoading(_) => codes::MODULE_FAILED,
        _ => codes::DEVICE_ERROR,
    }
}

impl Agent {
    pub fn new(module_path: PathBuf, idle: Duration) -> Agent {
        Agent { module_path, module: None, sessions: HashMap::new(), idle, last_error: codes::OK }
    }

    /// Logs out and closes every session idle for longer than the limit. Run before each call
    /// and now and then by the server, so an abandoned session ends even if no call comes.
    pub fn expire_idle(&mut self) {
        let idle = self.idle;
        let expired: Vec<u64> =
            self.sessions.iter().filter(|(_, live)| live.used_at.elapsed() > idle).map(|(h, _)| *h).collect();
        for handle in expired {
            if let Some(live) = self.sessions.remove(&handle) {
                tracing::info!("an idle card session was logged out");
                live.end();
            }
        }
    }

    fn end_sessions(&mut self) {
        for (_, live) in self.sessions.drain() {
            live.end();
        }
    }

    /// Runs one call and remembers its error code for `ATL_GetErrorCode`. A failed call answers
    /// "0" (no handle), as the vendor's component does.
    pub fn call(&mut self, call: &Call) -> Value {
        if call.function == "ATL_GetErrorCode" {
            return answer(&self.last_error.to_string(), &[]);
        }
        if call.function == "Echo" {
            return echo();
        }
        self.expire_idle();
        match self.dispatch(call) {
            Ok(value) => {
                self.last_error = codes::OK;
                answer(&value, &[])
            }
            Err(Failed(code)) => {
                self.last_error = code;
                tracing::info!(function = call.function, code, "call failed");
                answer("0", &[])
            }
        }
    }

    fn dispatch(&mut self, call: &Call) -> Result<String, Failed> {
        match call.function.as_str() {
            "ATL_InitModule" => self.init_module(),
            "ATL_CloseModule" => {
                self.end_sessions();
                self.module = None;
                Ok("1".to_owned())
            }
            "ATL_InitSession" => self.init_session(call),
            "ATL_CloseSession" => {
                if let Some(live) = self.sessions.remove(&call.number("hSession")?) {
                    live.end();
                }
                Ok("1".to_owned())
            }
            "ATL_GetHCACardType" => self.card_type(call),
            "ATL_GetHCABasicData" => self.basic_data(call),
            "ATL_GetCertificateFromGPKICard" => self.certificate(call),
            "ATL_GetKeyObjectHandle" => self.key_handle(call),
            "ATL_MakeSignatureEx2" => self.sign(call),
            _ => Err(Failed(codes::BAD_REQUEST)),
        }
    }

    fn init_module(&mut self) -> Result<String, Failed> {
        if self.module.is_none() {
            let module = Pkcs11::new(&self.module_path)?;
            module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))?;
            self.module = Some(module);
        }
        Ok(MODULE_HANDLE.to_owned())
    }

    fn module(&self) -> Result<&Pkcs11, Failed> {
        self.module.as_ref().ok_or(Failed(codes::MODULE_FAILED))
    }

    /// Opens a session on the first token present and logs in with the PIN, after ending any
    /// earlier session (one card, one signer at a time).
    fn init_session(&mut self, call: &Call) -> Result<String, Failed> {
        let pin = call.text("userPin")?;
        self.end_sessions();
        let session = self.open_session()?;
        session.login(UserType::User, Some(&AuthPin::new(pin.into())))?;
        let handle = new_handle();
        self.sessions.insert(handle, Live { session, used_at: Instant::now() });
        Ok(handle.to_string())
    }

    fn open_session(&self) -> Result<Session, Failed> {
        let module = self.module()?;
        // A reader without a card, or with a blank one (SoftHSM2 always shows a blank token),
        // is "no card".
        let slot = module
            .get_slots_with_token()?
            .into_iter()
            .find(|slot| module.get_token_info(*slot).is_ok_and(|info| info.token_initialized()))
            .ok_or(Failed(codes::NO_CARD))?;
        if module.get_token_info(slot)?.user_pin_locked() {
            return Err(Failed(codes::PIN_LOCKED));
        }
        Ok(module.open_ro_session(slot)?)
    }

    /// The logged-in session named by `hSession`, or a new session without a PIN (the
    /// certificate and card type are public, and the page asks for them before the PIN).
    fn with_session<T>(
        &mut self,
        call: &Call,
        work: impl FnOnce(&Session) -> Result<T, Failed>,
    ) -> Result<T, Failed> {
        let live = call.number("hSession").is_ok_and(|handle| self.sessions.contains_key(&handle));
        if live { work(self.logged_in(call)?) } else { work(&self.open_session()?) }
    }

    fn card_type(&mut self, call: &Call) -> Result<String, Failed> {
        let certificate = self.with_session(call, signing_certificate)?;
        let types = huzhu_hca::holder_types(&certificate);
        if types.iter().any(|t| t == huzhu_hca::PROFESSIONAL_CARD) {
            Ok("1".to_owned())
        } else if types.iter().any(|t| t == huzhu_hca::INSTITUTION_CARD) {
            Ok("0".to_owned())
        } else {
            Err(Failed(codes::NO_CARD))
        }
    }

    /// The `;`-separated basic data. A PKCS#11 token has no HCA basic-data file, so only the
    /// name (from the certificate) is filled in; the portal never uses these fields anyway.
    fn basic_data(&mut self, call: &Call) -> Result<String, Failed> {
        let certificate = self.with_session(call, signing_certificate)?;
        Ok(format!("{};;;;;", huzhu_hca::holder_name(&certificate)))
    }

    fn certificate(&mut self, call: &Call) -> Result<String, Failed> {
        if call.number("index")? != 1 {
            // Only the signing certificate (index 1) is needed to sign in.
            return Err(Failed(codes::BAD_REQUEST));
        }
        let der = self.with_session(call, signing_certificate)?;
        Ok(STANDARD.encode(der))
    }

    fn key_handle(&mut self, call: &Call) -> Result<String, Failed> {
        let session = self.logged_in(call)?;
        let key = find_by_id(session, ObjectClass::PRIVATE_KEY)?;
        Ok(key.handle().to_string())
    }

    fn sign(&mut self, call: &Call) -> Result<String, Failed> {
        let session = self.logged_in(call)?;
        let mechanism = match call.number("mechanism")? {
            CKM_SHA256_RSA_PKCS => Mechanism::Sha256RsaPkcs,
            CKM_SHA1_RSA_PKCS => Mechanism::Sha1RsaPkcs,
            _ => return Err(Failed(codes::BAD_REQUEST)),
        };
        let data = call.bytes("b64Data")?;
        let wanted = call.number("hKey")?;
        let key = find_by_id(session, ObjectClass::PRIVATE_KEY)?;
        if key.handle() != wanted {
            return Err(Failed(codes::BAD_REQUEST));
        }
        let signature = session.sign(&mechanism, key, &data)?;
        Ok(STANDARD.encode(signature))
    }

    /// The live session named by `hSession`, marked as used now.
    fn logged_in(&mut self, call: &Call) -> Result<&Session, Failed> {
        let handle = call.number("hSession")?;
        let live = self.sessions.get_mut(&handle).ok_or(Failed(codes::BAD_REQUEST))?;
        live.used_at = Instant::now();
        Ok(&live.session)
    }
}

/// A random, non-zero session handle below 2^53.
fn new_handle() -> u64 {
    (rand::random::<u64>() >> 11).max(1)
}

fn echo() -> Value {
    let session: [u8; 16] = rand::random();
    let session: String = session.iter().map(|b| format!("{b:02x}")).collect();
    let version = env!("CARGO_PKG_VERSION");
    answer(
        "0",
        &[
            ("SessionID", &session),
            ("ServerVersion", version),
            ("LibVersion", version),
            ("InstallerVersion", version),
        ],
    )
}

/// The signing certificate: the certificate object with key id "1" (DOMAIN.md §4.2).
fn signing_certificate(session: &Session) -> Result<Vec<u8>, Failed> {
    let object = find_by_id(session, ObjectClass::CERTIFICATE)?;
    let attributes = session.get_attributes(object, &[AttributeType::Value])?;
    attributes
        .into_iter()
        .find_map(|attribute| match attribute {
            Attribute::Value(der) => Some(der),
            _ => None,
        })
        .ok_or(Failed(codes::NO_CARD))
}

/// The object of `class` whose CKA_ID is the signing key's id: the text "1" on HCA cards, or
/// the byte 1 as tokens set up with `--id 01` hold it.
fn find_by_id(session: &Session, class: ObjectClass) -> Result<ObjectHandle, Failed> {
    for id in [b"1".to_vec(), vec![1u8]] {
        let found = session.find_objects(&[Attribute::Class(class), Attribute::Id(id)])?;
        if let Some(object) = found.first() {
            return Ok(*object);
        }
    }
    Err(Failed(codes::NO_CARD))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;

    #[test]
    fn pkcs11_failures_become_the_hca_codes_the_page_explains() {
        let pkcs11 = |rv| CkError::Pkcs11(rv, Function::Login);
        assert_eq!(code_of(&pkcs11(RvError::PinIncorrect)), 9039);
        assert_eq!(code_of(&pkcs11(RvError::PinLenRange)), 9039);
        assert_eq!(code_of(&pkcs11(RvError::PinLocked)), 9043);
        assert_eq!(code_of(&pkcs11(RvError::TokenNotPresent)), 9056);
        assert_eq!(code_of(&pkcs11(RvError::DeviceRemoved)), 9056);
        assert_eq!(code_of(&pkcs11(RvError::GeneralError)), codes::DEVICE_ERROR);
    }
}
