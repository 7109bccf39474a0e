//! Writes a throwaway HCA-shaped PKI and one professional card into a folder, for the browser
//! test and for trying card sign-in by hand with SoftHSM2:
//!
//! ```text
//! cargo run -p huzhu-hca --features test-pki --example test-card -- <folder> <holder name>
//! ```
//!
//! The folder gets `root.pem` (anchor), `hca.pem` (intermediate), `root.crl`, `hca.crl` (valid
//! from a day ago for 30 days), `card.der` (the card's signing certificate) and `card-key.pem`
//! (its private key, PKCS#8). Every key is new on each run; none of it belongs in production.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use huzhu_hca::test_pki::{CardSpec, TestPki};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(folder), Some(name)) = (args.next(), args.next()) else {
        return Err("usage: test-card <folder> <holder name>".into());
    };
    let folder = PathBuf::from(folder);
    std::fs::create_dir_all(&folder)?;
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs())?;
    let day = 86_400;

    let pki = TestPki::new();
    let card = pki.card(&CardSpec::professional(&name, now - 365 * day, now + 2 * 365 * day));
    std::fs::write(folder.join("root.pem"), pki.root_pem())?;
    std::fs::write(folder.join("hca.pem"), pki.hca_pem())?;
    std::fs::write(folder.join("root.crl"), pki.root_crl(now - day, now + 30 * day))?;
    std::fs::write(folder.join("hca.crl"), pki.hca_crl(&[], now - day, now + 30 * day))?;
    std::fs::write(folder.join("card.der"), &card.certificate_der)?;
    std::fs::write(folder.join("card-key.pem"), &card.key_pkcs8_pem)?;
    println!("wrote a test PKI and a card for {name} in {}", folder.display());
    Ok(())
}
