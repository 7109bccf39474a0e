//! A throwaway PKI shaped like HCA's, for tests and demo cards: a root, an intermediate (the
//! "HCA") and cards carrying the holder-type attribute. Only built with the `test-pki` feature;
//! every key is made fresh at run time, none is ever written into the repository.
//!
//! RSA keys come from the `openssl` command, since `ring` (rcgen's signer here) cannot make RSA
//! keys and real cards hold RSA keys.

use std::cell::Cell;
use std::process::Command;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer, CustomExtension,
    DistinguishedName, DnType, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use time::OffsetDateTime;

use crate::{PROFESSIONAL_CARD, SUBJECT_TYPE_ATTRIBUTE};

/// Common names of the test authorities. Two `TestPki`s share them, so a second one is an
/// impostor whose certificates copy every name of the first but not its keys.
pub const ROOT_NAME: &str = "huzhu 測試根憑證 (test only)";
pub const HCA_NAME: &str = "huzhu 測試醫事憑證管理中心 (test only)";

pub struct TestPki {
    root: CertifiedIssuer<'static, KeyPair>,
    hca: CertifiedIssuer<'static, KeyPair>,
    next_serial: Cell<u64>,
}

/// What to put in a card certificate.
#[derive(Debug, Clone)]
pub struct CardSpec {
    pub common_name: String,
    /// The subject-type value ([`PROFESSIONAL_CARD`] or [`crate::INSTITUTION_CARD`]).
    pub holder_type: String,
    pub not_before_unix: i64,
    pub not_after_unix: i64,
    /// Key usage digitalSignature + nonRepudiation (the signing certificate); false gives
    /// keyEncipherment only, like the card's encryption certificate.
    pub for_signing: bool,
    /// basicConstraints CA:TRUE, which no card certificate has.
    pub is_ca: bool,
    /// A critical extension of a private OID that no verifier understands.
    pub unknown_critical_extension: bool,
}

impl CardSpec {
    /// A professional card valid from `from` to `until` (seconds since the epoch).
    pub fn professional(name: &str, from: i64, until: i64) -> Self {
        Self {
            common_name: name.to_owned(),
            holder_type: PROFESSIONAL_CARD.to_owned(),
            not_before_unix: from,
            not_after_unix: until,
            for_signing: true,
            is_ca: false,
            unknown_critical_extension: false,
        }
    }
}

/// A card's signing certificate and private key.
pub struct TestCard {
    pub certificate_der: Vec<u8>,
    /// PKCS#8, PEM: what `softhsm2-util --import` and `openssl` read.
    pub key_pkcs8_pem: String,
    pub serial: Vec<u8>,
}

impl TestCard {
    /// Signs `data` as the card does with CKM_SHA256_RSA_PKCS.
    pub fn sign_sha256(&self, data: &[u8]) -> Vec<u8> {
        sign(&self.key_pkcs8_pem, &ring::signature::RSA_PKCS1_SHA256, data)
    }

    /// Signs `data` as old cards do with CKM_SHA1_RSA_PKCS. `ring` does not sign with SHA-1,
    /// so this asks `openssl dgst`.
    pub fn sign_sha1(&self, data: &[u8]) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("temporary folder");
        let key = dir.path().join("key.pem");
        let input = dir.path().join("data");
        std::fs::write(&key, &self.key_pkcs8_pem).expect("write key");
        std::fs::write(&input, data).expect("write data");
        let output = Command::new("openssl")
            .args(["dgst", "-sha1", "-sign"])
            .arg(&key)
            .arg(&input)
            .output()
            .expect("run openssl dgst");
        assert!(output.status.success(), "openssl dgst failed");
        output.stdout
    }

    pub fn certificate_pem(&self) -> String {
        pem("CERTIFICATE", &self.certificate_der)
    }
}

impl TestPki {
    /// A root valid 2000–2100 and an intermediate under it.
    pub fn new() -> Self {
        let root_params = ca_params(ROOT_NAME, None);
        let root = CertifiedIssuer::self_signed(root_params, rsa_key()).expect("self-sign root");
        let hca_params = ca_params(HCA_NAME, Some(0));
        let hca = CertifiedIssuer::signed_by(hca_params, rsa_key(), &root).expect("sign HCA");
        Self { root, hca, next_serial: Cell::new(0x1000) }
    }

    pub fn root_der(&self) -> Vec<u8> {
        self.root.der().to_vec()
    }

    pub fn hca_der(&self) -> Vec<u8> {
        self.hca.der().to_vec()
    }

    pub fn root_pem(&self) -> String {
        self.root.pem()
    }

    pub fn hca_pem(&self) -> String {
        self.hca.pem()
    }

    /// A card certificate signed by the intermediate, with a fresh RSA-2048 key.
    pub fn card(&self, spec: &CardSpec) -> TestCard {
        let key = rsa_key();
        let serial = self.serial();
        let params = card_params(spec, &serial);
        let cert = params.signed_by(&key, &self.hca).expect("sign card");
        TestCard { certificate_der: cert.der().to_vec(), key_pkcs8_pem: key.serialize_pem(), serial }
    }

    /// A CA under the intermediate (whose path length constraint is 0, so it may not have one)
    /// and a card it signed: the CA's DER and the card.
    pub fn card_under_sub_ca(&self, spec: &CardSpec) -> (Vec<u8>, TestCard) {
        let sub_params = ca_params("HCA Sub CA (not allowed)", None);
        let sub = CertifiedIssuer::signed_by(sub_params, rsa_key(), &self.hca).expect("sign sub CA");
        let key = rsa_key();
        let serial = self.serial();
        let cert = card_params(spec, &serial).signed_by(&key, &sub).expect("sign card");
        let card =
            TestCard { certificate_der: cert.der().to_vec(), key_pkcs8_pem: key.serialize_pem(), serial };
        (sub.der().to_vec(), card)
    }

    /// The intermediate's CRL listing `revoked` serials, issued at `this_update` and next due at
    /// `next_update` (seconds since the epoch).
    pub fn hca_crl(&self, revoked: &[&[u8]], this_update: i64, next_update: i64) -> Vec<u8> {
        crl(&self.hca, revoked, this_update, next_update)
    }

    /// The root's CRL (revoking nothing) over the intermediate.
    pub fn root_crl(&self, this_update: i64, next_update: i64) -> Vec<u8> {
        crl(&self.root, &[], this_update, next_update)
    }

    /// The root's CRL revoking the intermediate itself.
    pub fn root_crl_revoking_hca(&self, this_update: i64, next_update: i64) -> Vec<u8> {
        let serial = self.hca_serial();
        crl(&self.root, &[&serial], this_update, next_update)
    }

    /// The intermediate's serial (rcgen chose it at random).
    pub fn hca_serial(&self) -> Vec<u8> {
        use x509_parser::prelude::FromDer as _;
        let der = self.hca_der();
        let (_, cert) = x509_parser::certificate::X509Certificate::from_der(&der).expect("own certificate");
        cert.raw_serial().to_vec()
    }

    fn serial(&self) -> Vec<u8> {
        let n = self.next_serial.get();
        self.next_serial.set(n + 1);
        n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect()
    }
}

impl Default for TestPki {
    fn default() -> Self {
        Self::new()
    }
}

/// A self-signed certificate with the subject of `spec`: what an attacker makes with a copied
/// name and their own key.
pub fn self_signed_card(spec: &CardSpec) -> TestCard {
    let key = rsa_key();
    let serial = vec![0x42];
    let cert = card_params(spec, &serial).self_signed(&key).expect("self-sign card");
    TestCard { certificate_der: cert.der().to_vec(), key_pkcs8_pem: key.serialize_pem(), serial }
}

/// PEM armour around DER.
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> =
        body.as_bytes().chunks(64).map(|chunk| std::str::from_utf8(chunk).unwrap_or_default()).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

fn ca_params(name: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name_of(name);
    params.not_before = at(946_684_800); // 2000-01-01
    params.not_after = at(4_102_444_800); // 2100-01-01
    params.is_ca = match path_len {
        Some(n) => IsCa::Ca(BasicConstraints::Constrained(n)),
        None => IsCa::Ca(BasicConstraints::Unconstrained),
    };
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.key_identifier_method = KeyIdMethod::Sha256;
    params
}

fn card_params(spec: &CardSpec, serial: &[u8]) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name_of(&spec.common_name);
    params.serial_number = Some(SerialNumber::from_slice(serial));
    params.not_before = at(spec.not_before_unix);
    params.not_after = at(spec.not_after_unix);
    params.key_usages = if spec.for_signing {
        vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::ContentCommitment]
    } else {
        vec![KeyUsagePurpose::KeyEncipherment]
    };
    params.use_authority_key_identifier_extension = true;
    params.custom_extensions = vec![CustomExtension::from_oid_content(
        &[2, 5, 29, 9],
        subject_directory_attributes(&spec.holder_type),
    )];
    if spec.is_ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    if spec.unknown_critical_extension {
        // 1.3.6.1.4.1.55555.1 under an unassigned private enterprise number, content NULL.
        let mut extension =
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![0x05, 0x00]);
        extension.set_criticality(true);
        params.custom_extensions.push(extension);
    }
    params
}

fn name_of(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "TW");
    name.push(DnType::CommonName, common_name);
    name
}

fn crl(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    revoked: &[&[u8]],
    this_update: i64,
    next_update: i64,
) -> Vec<u8> {
    let params = CertificateRevocationListParams {
        this_update: at(this_update),
        next_update: at(next_update),
        crl_number: SerialNumber::from_slice(&this_update.to_be_bytes()),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|serial| RevokedCertParams {
                serial_number: SerialNumber::from_slice(serial),
                revocation_time: at(this_update),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(issuer).expect("sign CRL").der().to_vec()
}

/// SEQUENCE { SEQUENCE { attribute OID, SET { holder-type OID } } }
fn subject_directory_attributes(holder_type: &str) -> Vec<u8> {
    let attribute = [oid(SUBJECT_TYPE_ATTRIBUTE), tlv(0x31, &oid(holder_type))].concat();
    tlv(0x30, &tlv(0x30, &attribute))
}

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().expect("numeric arc")).collect();
    let mut body = base128(arcs[0] * 40 + arcs[1]);
    for arc in &arcs[2..] {
        body.extend(base128(*arc));
    }
    tlv(0x06, &body)
}

fn base128(mut n: u64) -> Vec<u8> {
    let mut out = vec![(n & 0x7f) as u8];
    n >>= 7;
    while n > 0 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.reverse();
    out
}

/// Tag, definite length (short or long form), content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).expect("time in range")
}

/// A fresh RSA-2048 key from `openssl genpkey`.
pub fn rsa_key() -> KeyPair {
    let output = Command::new("openssl")
        .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
        .output()
        .expect("run openssl genpkey (Debian package openssl)");
    assert!(output.status.success(), "openssl genpkey failed");
    let pem = String::from_utf8(output.stdout).expect("PEM is ASCII");
    KeyPair::from_pem(&pem).expect("openssl writes PKCS#8 PEM")
}

fn sign(key_pkcs8_pem: &str, algorithm: &'static dyn ring::signature::RsaEncoding, data: &[u8]) -> Vec<u8> {
    let der = pem_body(key_pkcs8_pem);
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).expect("RSA PKCS#8");
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(algorithm, &ring::rand::SystemRandom::new(), data, &mut signature).expect("RSA sign");
    signature
}

fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).expect("PEM body is base64")
}
