//! The trust material from the configuration: anchors, intermediate CA certificates and CRLs.

use std::path::Path;

use x509_parser::prelude::*;

use crate::{MAX_DEPTH, Refusal, StaleCrl};

/// CA certificates and CRLs, as DER. Anchors end a chain; intermediates may sit inside one.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cas: Vec<Ca>,
    crls: Vec<Vec<u8>>,
}

#[derive(Debug, Clone)]
struct Ca {
    der: Vec<u8>,
    anchor: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} holds no certificate or CRL that can be parsed")]
    Parse { path: String },
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a certificate that ends a chain (the HCA root, or GRCA above it).
    pub fn add_anchor(&mut self, der: Vec<u8>) -> Result<(), Refusal> {
        self.add_ca(der, true)
    }

    /// Adds a CA certificate that may appear inside a chain but is not trusted by itself.
    pub fn add_intermediate(&mut self, der: Vec<u8>) -> Result<(), Refusal> {
        self.add_ca(der, false)
    }

    fn add_ca(&mut self, der: Vec<u8>, anchor: bool) -> Result<(), Refusal> {
        X509Certificate::from_der(&der).map_err(|_| Refusal::Malformed)?;
        self.cas.push(Ca { der, anchor });
        Ok(())
    }

    pub fn add_crl(&mut self, der: Vec<u8>) -> Result<(), Refusal> {
        CertificateRevocationList::from_der(&der).map_err(|_| Refusal::Malformed)?;
        self.crls.push(der);
        Ok(())
    }

    /// Loads certificate files (PEM with one or more certificates, or one DER certificate).
    pub fn load_certificates(&mut self, path: &Path, anchor: bool) -> Result<usize, LoadError> {
        let blobs = read_blobs(path, "CERTIFICATE")?;
        let count = blobs.len();
        for der in blobs {
            self.add_ca(der, anchor).map_err(|_| parse_error(path))?;
        }
        Ok(count)
    }

    /// Loads a CRL file (PEM "X509 CRL" blocks, or one DER CRL).
    pub fn load_crl(&mut self, path: &Path) -> Result<usize, LoadError> {
        let blobs = read_blobs(path, "X509 CRL")?;
        let count = blobs.len();
        for der in blobs {
            self.add_crl(der).map_err(|_| parse_error(path))?;
        }
        Ok(count)
    }

    pub fn anchor_count(&self) -> usize {
        self.cas.iter().filter(|ca| ca.anchor).count()
    }

    /// The issuers of `leaf` up to an anchor, nearest first. Each must have signed the one
    /// below it, be a CA allowed to sign certificates, be valid at `now`, and allow as many CA
    /// certificates below it as there are (its path length constraint).
    pub(crate) fn chain(
        &self,
        leaf: &X509Certificate<'_>,
        now: ASN1Time,
    ) -> Result<Vec<X509Certificate<'_>>, Refusal> {
        let mut chain: Vec<X509Certificate<'_>> = Vec::new();
        for _ in 0..MAX_DEPTH {
            let child = chain.last().unwrap_or(leaf);
            let Some((issuer, anchor)) = self.issuer_of(child, now) else {
                return Err(Refusal::Untrusted);
            };
            // The CA certificates between this issuer and the leaf are the ones found so far.
            if path_len(&issuer).is_some_and(|allowed| chain.len() > allowed) {
                return Err(Refusal::Untrusted);
            }
            chain.push(issuer);
            if anchor {
                return Ok(chain);
            }
        }
        Err(Refusal::Untrusted)
    }

    fn issuer_of(&self, child: &X509Certificate<'_>, now: ASN1Time) -> Option<(X509Certificate<'_>, bool)> {
        self.cas.iter().find_map(|ca| {
            let (_, cert) = X509Certificate::from_der(&ca.der).ok()?;
            let fits = cert.subject().as_raw() == child.issuer().as_raw()
                && may_sign_certificates(&cert)
                && cert.validity().is_valid_at(now)
                && child.verify_signature(Some(cert.public_key())).is_ok();
            fits.then_some((cert, ca.anchor))
        })
    }

    /// Checks every certificate below the anchor against its issuer's CRL. Returns whether
    /// revocation was fully checked (false only when `stale` is fail-open and a CRL was missing
    /// or out of date).
    pub(crate) fn check_revocation(
        &self,
        leaf: &X509Certificate<'_>,
        chain: &[X509Certificate<'_>],
        now: ASN1Time,
        stale: StaleCrl,
    ) -> Result<bool, Refusal> {
        let subjects = std::iter::once(leaf).chain(chain.iter());
        let mut checked = true;
        for (subject, issuer) in subjects.zip(chain.iter()) {
            match self.crl_of(issuer) {
                Some(crl) => {
                    let revoked = crl
                        .iter_revoked_certificates()
                        .any(|entry| entry.raw_serial() == subject.raw_serial());
                    if revoked {
                        return Err(Refusal::Revoked);
                    }
                    let fresh = crl.next_update().is_some_and(|next| next >= now);
                    checked &= fresh;
                }
                None => checked = false,
            }
        }
        match (checked, stale) {
            (true, _) => Ok(true),
            (false, StaleCrl::FailOpen) => Ok(false),
            (false, StaleCrl::FailClosed) => Err(Refusal::RevocationUnknown),
        }
    }

    /// The newest CRL signed by `issuer`.
    fn crl_of(&self, issuer: &X509Certificate<'_>) -> Option<CertificateRevocationList<'_>> {
        self.crls
            .iter()
            .filter_map(|der| CertificateRevocationList::from_der(der).ok().map(|(_, c)| c))
            .filter(|crl| crl.issuer().as_raw() == issuer.subject().as_raw())
            .filter(|crl| crl.verify_signature(issuer.public_key()).is_ok())
            .max_by_key(|crl| crl.last_update())
    }
}

/// The basicConstraints pathLenConstraint, if any.
fn path_len(cert: &X509Certificate<'_>) -> Option<usize> {
    let constraints = cert.basic_constraints().ok().flatten()?;
    constraints.value.path_len_constraint.map(|n| n as usize)
}

fn may_sign_certificates(cert: &X509Certificate<'_>) -> bool {
    let key_usage_allows = match cert.key_usage() {
        Ok(Some(usage)) => usage.value.key_cert_sign(),
        Ok(None) => true,
        Err(_) => false,
    };
    cert.is_ca() && key_usage_allows
}

fn read_blobs(path: &Path, label: &str) -> Result<Vec<Vec<u8>>, LoadError> {
    let bytes =
        std::fs::read(path).map_err(|source| LoadError::Read { path: path.display().to_string(), source })?;
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(vec![bytes]);
    }
    let blobs: Vec<Vec<u8>> = Pem::iter_from_buffer(&bytes)
        .filter_map(Result::ok)
        .filter(|pem| pem.label == label)
        .map(|pem| pem.contents)
        .collect();
    if blobs.is_empty() {
        return Err(parse_error(path));
    }
    Ok(blobs)
}

fn parse_error(path: &Path) -> LoadError {
    LoadError::Parse { path: path.display().to_string() }
}
