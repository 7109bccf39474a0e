//! huzhu-agent: the local signing component for card sign-in, the open counterpart of HCA
//! ServiSign. It listens on 127.0.0.1, answers only the portal origins it is told to, speaks the
//! part of the ServiSign protocol that sign-in needs (DOMAIN.md §4.4) and reaches the card
//! through a PKCS#11 module: the card vendor's for real cards, SoftHSM2 in tests.
//!
//! The PIN goes from the request to the module's C_Login and nowhere else: it is never logged,
//! never stored, and never sent back.

pub mod card;
pub mod protocol;
pub mod server;

/// HCA error codes the page understands (DOMAIN.md §4.3, §4.4).
pub mod codes {
    pub const OK: i64 = 0;
    /// Wrong PIN.
    pub const PIN_INCORRECT: i64 = 9039;
    /// The PIN is locked after too many wrong tries; it is unlocked on the HCA website.
    pub const PIN_LOCKED: i64 = 9043;
    /// No reader, no card, or a card that is not an HCA card.
    pub const NO_CARD: i64 = 9056;
    /// The PKCS#11 module could not be loaded (the component's "not installed" range).
    pub const MODULE_FAILED: i64 = 61001;
    /// A request this component cannot read or does not support. The component range
    /// 61001–61999 is the vendor's; this number is huzhu-agent's own.
    pub const BAD_REQUEST: i64 = 61900;
    /// Anything else the module refused.
    pub const DEVICE_ERROR: i64 = 61901;
}
