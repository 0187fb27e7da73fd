//! What an account's details must be, said once for the registry that checks them and the
//! pages that explain them.

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password read, in bytes: bounds the work a request can ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest e-mail address (RFC 5321's limit on a path).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
