//! Verification of a sign-in with an HCA healthcare professional card (醫事人員卡).
//!
//! The browser asks the local component (HCA ServiSign or `huzhu-agent`) to sign a challenge the
//! server issued, with the card's signing key, and posts back the signature and the card's signing
//! certificate. [`verify`] decides whether that is a genuine, current professional card:
//!
//! 1. the certificate chains to a configured trust anchor, every link valid at `now`;
//! 2. the leaf may sign (key usage digitalSignature or nonRepudiation), is not a CA
//!    certificate, and carries no critical extension this verifier does not understand
//!    (RFC 5280 §4.2); each CA's path length constraint holds;
//! 3. the holder-type attribute says "professional card" (DOMAIN.md §4.2, a configurable OID);
//! 4. no certificate below the anchor is on its issuer's CRL, and the CRLs are fresh (what
//!    happens when they are not is [`StaleCrl`]);
//! 5. the RSA PKCS#1 v1.5 signature covers the exact challenge bytes, with SHA-256 (SHA-1 only
//!    when [`Policy::allow_sha1`] is set for old cards).
//!
//! It never reads the clock or the network: the caller passes `now` and the trust material.

mod der;
mod store;
#[cfg(feature = "test-pki")]
pub mod test_pki;

pub use store::{LoadError, TrustStore};

use sha2::{Digest, Sha256};
use x509_parser::prelude::*;

/// Subject Directory Attributes (RFC 5280 §4.2.1.8).
const SUBJECT_DIRECTORY_ATTRIBUTES: &str = "2.5.29.9";
/// The GPKI "subject type" attribute inside Subject Directory Attributes.
pub const SUBJECT_TYPE_ATTRIBUTE: &str = "2.16.886.1.100.2.1";
/// Subject type of a healthcare professional card (HPC, 醫事人員卡).
pub const PROFESSIONAL_CARD: &str = "2.16.886.1.100.3.1.7";
/// Subject type of a healthcare institution card (HOP, 醫事機構卡).
pub const INSTITUTION_CARD: &str = "2.16.886.1.100.3.2.21";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// Extensions a card may mark critical: those this verifier checks (key usage, basic
/// constraints, subject directory attributes), and those that only describe the holder or the
/// policy (subject alternative name, certificate policies) and restrict nothing sign-in does.
const UNDERSTOOD_CRITICAL: [&str; 5] = ["2.5.29.15", "2.5.29.19", "2.5.29.9", "2.5.29.17", "2.5.29.32"];
/// Longest chain followed from the card to an anchor (card, HCA, GRCA and some slack).
const MAX_DEPTH: usize = 5;

/// What to do when revocation cannot be checked: the CRL of an issuer is missing or past its
/// nextUpdate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleCrl {
    /// Refuse the sign-in (the safe default).
    FailClosed,
    /// Accept it; the result says revocation was not checked, so the caller can log it.
    FailOpen,
}

/// The rules a card must meet, from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// OID of the attribute that carries the holder type.
    pub subject_type_attribute: String,
    /// The holder type accepted: professional cards only.
    pub holder_type: String,
    pub stale_crl: StaleCrl,
    /// Accept SHA-1 signatures over the challenge (older cards sign only with SHA-1).
    pub allow_sha1: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            subject_type_attribute: SUBJECT_TYPE_ATTRIBUTE.to_owned(),
            holder_type: PROFESSIONAL_CARD.to_owned(),
            stale_crl: StaleCrl::FailClosed,
            allow_sha1: false,
        }
    }
}

/// Why a card was refused. Each variant is a different message to the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the certificate or signature could not be read")]
    Malformed,
    #[error("the certificate does not chain to a trusted HCA certificate")]
    Untrusted,
    #[error("the certificate has expired or is not yet valid")]
    Expired,
    #[error("the certificate has been revoked")]
    Revoked,
    #[error("the revocation list is missing or out of date")]
    RevocationUnknown,
    #[error("the certificate's key may not sign")]
    NotForSigning,
    #[error("the certificate is not a healthcare professional card")]
    NotProfessionalCard,
    #[error("the signature does not match the challenge")]
    BadSignature,
}

/// What the browser posted back: the card's signing certificate and its signature.
#[derive(Debug, Clone, Copy)]
pub struct SignedChallenge<'a> {
    pub certificate_der: &'a [u8],
    pub signature: &'a [u8],
    /// The exact bytes the server issued.
    pub challenge: &'a [u8],
}

/// The card that signed, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCard {
    /// SHA-256 of the issuer name's DER, a colon, then the serial in hex: unique per certificate
    /// and stable, the key of a card binding.
    pub issuer_serial: String,
    /// SHA-256 of the certificate's SubjectPublicKeyInfo, in hex.
    pub key_sha256: String,
    /// The holder's name (CN), for the account page; never used to find the member.
    pub common_name: String,
    /// The serial in hex, shown on the account page.
    pub serial_hex: String,
    pub not_after_unix: i64,
    pub digest: SignatureDigest,
    /// False only when [`StaleCrl::FailOpen`] let a card through without a fresh CRL.
    pub revocation_checked: bool,
}

/// The digest the card signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureDigest {
    Sha256,
    Sha1,
}

/// Verifies a signed challenge against the trust store at `now_unix` (seconds since the epoch).
pub fn verify(
    store: &TrustStore,
    policy: &Policy,
    signed: SignedChallenge<'_>,
    now_unix: i64,
) -> Result<VerifiedCard, Refusal> {
    let now = ASN1Time::from_timestamp(now_unix).map_err(|_| Refusal::Malformed)?;
    let (_, leaf) = X509Certificate::from_der(signed.certificate_der).map_err(|_| Refusal::Malformed)?;
    if !leaf.validity().is_valid_at(now) {
        return Err(Refusal::Expired);
    }
    let chain = store.chain(&leaf, now)?;
    let revocation_checked = store.check_revocation(&leaf, &chain, now, policy.stale_crl)?;
    check_key_usage(&leaf)?;
    check_card_kind(&leaf)?;
    check_holder_type(&leaf, policy)?;
    let digest = check_signature(&leaf, signed, policy.allow_sha1)?;

    Ok(VerifiedCard {
        issuer_serial: issuer_serial(&leaf),
        key_sha256: hex(&Sha256::digest(leaf.public_key().raw)),
        common_name: common_name(&leaf),
        serial_hex: hex(leaf.raw_serial()),
        not_after_unix: leaf.validity().not_after.timestamp(),
        digest,
        revocation_checked,
    })
}

/// The holder types a certificate declares (the values of the subject-type attribute), for the
/// local component's card-type answer. Empty when the certificate cannot be read or has none.
pub fn holder_types(certificate_der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = X509Certificate::from_der(certificate_der) else {
        return Vec::new();
    };
    cert.extensions()
        .iter()
        .filter(|ext| ext.oid.to_id_string() == SUBJECT_DIRECTORY_ATTRIBUTES)
        .filter_map(|ext| der::attribute_oids(ext.value, SUBJECT_TYPE_ATTRIBUTE))
        .flatten()
        .collect()
}

/// The subject's common name, or "" when the certificate cannot be read.
pub fn holder_name(certificate_der: &[u8]) -> String {
    X509Certificate::from_der(certificate_der).map(|(_, cert)| common_name(&cert)).unwrap_or_default()
}

fn check_key_usage(leaf: &X509Certificate<'_>) -> Result<(), Refusal> {
    match leaf.key_usage() {
        Ok(Some(usage)) if usage.value.digital_signature() || usage.value.non_repudiation() => Ok(()),
        Ok(_) => Err(Refusal::NotForSigning),
        Err(_) => Err(Refusal::Malformed),
    }
}

/// A card's certificate is an end entity: one that says it is a CA, or that carries a critical
/// extension this verifier cannot honour, is not a card certificate it can accept.
fn check_card_kind(leaf: &X509Certificate<'_>) -> Result<(), Refusal> {
    match leaf.basic_constraints() {
        Ok(Some(constraints)) if constraints.value.ca => return Err(Refusal::NotProfessionalCard),
        Ok(_) => {}
        Err(_) => return Err(Refusal::Malformed),
    }
    let unknown_critical = leaf
        .extensions()
        .iter()
        .any(|ext| ext.critical && !UNDERSTOOD_CRITICAL.contains(&ext.oid.to_id_string().as_str()));
    if unknown_critical { Err(Refusal::NotProfessionalCard) } else { Ok(()) }
}

fn check_holder_type(leaf: &X509Certificate<'_>, policy: &Policy) -> Result<(), Refusal> {
    let extension = leaf
        .extensions()
        .iter()
        .find(|ext| ext.oid.to_id_string() == SUBJECT_DIRECTORY_ATTRIBUTES)
        .ok_or(Refusal::NotProfessionalCard)?;
    let values =
        der::attribute_oids(extension.value, &policy.subject_type_attribute).ok_or(Refusal::Malformed)?;
    if values.contains(&policy.holder_type) { Ok(()) } else { Err(Refusal::NotProfessionalCard) }
}

fn check_signature(
    leaf: &X509Certificate<'_>,
    signed: SignedChallenge<'_>,
    allow_sha1: bool,
) -> Result<SignatureDigest, Refusal> {
    use ring::signature::{
        RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
    };
    let spki = leaf.public_key();
    if spki.algorithm.algorithm.to_id_string() != RSA_ENCRYPTION {
        return Err(Refusal::BadSignature);
    }
    let key = &spki.subject_public_key.data;
    let sha256 = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key);
    if sha256.verify(signed.challenge, signed.signature).is_ok() {
        return Ok(SignatureDigest::Sha256);
    }
    let sha1 = UnparsedPublicKey::new(&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, key);
    if allow_sha1 && sha1.verify(signed.challenge, signed.signature).is_ok() {
        return Ok(SignatureDigest::Sha1);
    }
    Err(Refusal::BadSignature)
}

fn issuer_serial(cert: &X509Certificate<'_>) -> String {
    format!("{}:{}", hex(&Sha256::digest(cert.issuer().as_raw())), hex(cert.raw_serial()))
}

fn common_name(cert: &X509Certificate<'_>) -> String {
    cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).unwrap_or_default().to_owned()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
