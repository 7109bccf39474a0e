//! The one structure x509-parser leaves undecoded that the check needs: the value of the Subject
//! Directory Attributes extension (RFC 5280 §4.2.1.8).
//!
//! ```text
//! SubjectDirectoryAttributes ::= SEQUENCE SIZE (1..MAX) OF Attribute
//! Attribute ::= SEQUENCE { type OBJECT IDENTIFIER, values SET OF AttributeValue }
//! ```

use x509_parser::der_parser::ber::BerObjectContent;
use x509_parser::der_parser::parse_der;

/// The values, read as object identifiers, of every attribute of type `attribute` in the
/// extension value. `None` when the value is not that structure; values of that attribute
/// that are not OIDs are skipped.
pub(crate) fn attribute_oids(extension_value: &[u8], attribute: &str) -> Option<Vec<String>> {
    let (rest, outer) = parse_der(extension_value).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let mut found = Vec::new();
    for item in outer.as_sequence().ok()? {
        let parts = item.as_sequence().ok()?;
        let [kind, values] = parts.as_slice() else {
            return None;
        };
        if kind.as_oid().ok()?.to_id_string() != attribute {
            continue;
        }
        let BerObjectContent::Set(values) = &values.content else {
            return None;
        };
        found.extend(values.iter().filter_map(|v| v.as_oid().ok().map(|o| o.to_id_string())));
    }
    Some(found)
}
