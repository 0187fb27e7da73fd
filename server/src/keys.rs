//! The registry's label-signing keys: from the environment, from a key file, or made on the
//! first start. Rotation moves the current key to the retired list, where it still verifies
//! the labels it signed.

use crate::config::Config;
use anyhow::{bail, Context};
use data_encoding::BASE64URL_NOPAD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore as _;
use registry::labels::{key_id, Keyring};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The key file: the signing key's 32-byte seed and the retired public keys.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    key_id: String,
    /// Base64url seed of the Ed25519 signing key. Secret.
    secret_key: String,
    created: String,
    #[serde(default)]
    retired: Vec<RetiredKey>,
    /// Base64url key share codes are hashed under. Secret. Absent from files made before share
    /// codes: then derived from `secret_key`, and written down when that key is rotated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    share_key: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct RetiredKey {
    key_id: String,
    public_key: String,
    retired: String,
}

fn decode_32(what: &str, text: &str) -> anyhow::Result<[u8; 32]> {
    let text = text.trim().trim_end_matches('=');
    // 32 bytes are 64 hex digits or 43 base64url characters; the length says which.
    let decoded = if text.len() == 64 {
        data_encoding::HEXLOWER_PERMISSIVE.decode(text.as_bytes())
    } else {
        BASE64URL_NOPAD.decode(text.as_bytes())
    };
    let bytes = decoded.with_context(|| format!("{what} must be 32 bytes in base64url or hex"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| anyhow::anyhow!("{what} must be 32 bytes, found {}", bytes.len()))
}

fn public_key(what: &str, text: &str) -> anyhow::Result<VerifyingKey> {
    VerifyingKey::from_bytes(&decode_32(what, text)?)
        .with_context(|| format!("{what} is not an Ed25519 public key"))
}

fn new_signing_key() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

fn read_file(path: &Path) -> anyhow::Result<KeyFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("the key file {} is not a robopass key file", path.display()))
}

/// How [`write_file`] puts the new file in place.
#[derive(PartialEq)]
enum Place {
    /// Only if there is none yet (first start; another instance may be starting too).
    New,
    /// Over the old one (rotation).
    Replace,
}

/// Write the key file readable by its owner only, in one step: a fresh temporary file
/// (`create_new`, so a planted file or link there is refused, never followed) then linked or
/// renamed into place. `Ok(false)`: `Place::New` and a key file appeared meanwhile.
fn write_file(path: &Path, file: &KeyFile, place: Place) -> anyhow::Result<bool> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write the key file {}", tmp.display()))?;
    out.write_all(serde_json::to_string_pretty(file)?.as_bytes())?;
    out.sync_all()?;
    let placed = match place {
        Place::Replace => std::fs::rename(&tmp, path).map(|_| true),
        Place::New => match std::fs::hard_link(&tmp, path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        },
    };
    let _ = std::fs::remove_file(&tmp);
    placed.with_context(|| format!("cannot write the key file {}", path.display()))
}

/// Warn when the key file can be read by others than its owner.
fn check_mode(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(file = %path.display(), "the signing key file is readable by others: chmod 600 it");
        }
    }
}

fn keyring_of(file: &KeyFile, extra_retired: &[VerifyingKey]) -> anyhow::Result<Keyring> {
    let signing = SigningKey::from_bytes(&decode_32("secret_key", &file.secret_key)?);
    let mut retired = file
        .retired
        .iter()
        .map(|r| public_key("a retired public_key", &r.public_key))
        .collect::<anyhow::Result<Vec<_>>>()?;
    retired.extend_from_slice(extra_retired);
    let ring = Keyring::new(signing, retired);
    Ok(match &file.share_key {
        Some(key) => ring.with_share_key(decode_32("share_key", key)?),
        None => ring,
    })
}

/// The keyring the portal signs and verifies with: `SIGNING_KEY` when set, else the key file
/// (made, with a new key, when missing). `RETIRED_SIGNING_KEYS` adds public keys that still
/// verify.
pub fn load(config: &Config) -> anyhow::Result<Keyring> {
    let ring = load_signing(config)?;
    Ok(match &config.share_code_key {
        Some(key) => ring.with_share_key(decode_32("SHARE_CODE_KEY", key)?),
        None => ring,
    })
}

fn load_signing(config: &Config) -> anyhow::Result<Keyring> {
    let extra = config
        .retired_signing_keys
        .iter()
        .map(|k| public_key("RETIRED_SIGNING_KEYS", k))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(secret) = &config.signing_key {
        let signing = SigningKey::from_bytes(&decode_32("SIGNING_KEY", secret)?);
        let ring = Keyring::new(signing, extra);
        tracing::info!(
            key_id = ring.current_kid(),
            "label signing key from SIGNING_KEY"
        );
        return Ok(ring);
    }
    let path = Path::new(&config.signing_key_file);
    if path.exists() {
        check_mode(path);
        let ring = keyring_of(&read_file(path)?, &extra)?;
        tracing::info!(key_id = ring.current_kid(), file = %path.display(), "label signing key loaded");
        return Ok(ring);
    }
    let signing = new_signing_key();
    let file = KeyFile {
        key_id: key_id(&signing.verifying_key()),
        secret_key: BASE64URL_NOPAD.encode(signing.as_bytes()),
        created: registry::services::today(),
        retired: Vec::new(),
        share_key: None,
    };
    if !write_file(path, &file, Place::New)? {
        // Another instance made the key first: use that one, so all sign alike.
        return keyring_of(&read_file(path)?, &extra);
    }
    tracing::warn!(
        key_id = %file.key_id,
        file = %path.display(),
        "no label signing key configured: generated a new one (keep this file safe and backed up, or set SIGNING_KEY)"
    );
    keyring_of(&file, &extra)
}

/// Replace the key file's signing key with a new one; the old one is kept as retired.
/// Returns (old key id, new key id).
pub fn rotate(config: &Config) -> anyhow::Result<(String, String)> {
    if config.signing_key.is_some() {
        bail!("SIGNING_KEY is set: rotate by setting a new SIGNING_KEY and adding the old public key to RETIRED_SIGNING_KEYS");
    }
    let path = Path::new(&config.signing_key_file);
    let mut file = read_file(path)?;
    let old = SigningKey::from_bytes(&decode_32("secret_key", &file.secret_key)?);
    let new = new_signing_key();
    // Share codes stay hashed under the key they were hashed under before.
    file.share_key
        .get_or_insert_with(|| BASE64URL_NOPAD.encode(&registry::labels::share_key_of(&old)));
    file.retired.push(RetiredKey {
        key_id: key_id(&old.verifying_key()),
        public_key: BASE64URL_NOPAD.encode(old.verifying_key().as_bytes()),
        retired: registry::services::today(),
    });
    let old_kid = std::mem::replace(&mut file.key_id, key_id(&new.verifying_key()));
    file.secret_key = BASE64URL_NOPAD.encode(new.as_bytes());
    file.created = registry::services::today();
    write_file(path, &file, Place::Replace)?;
    Ok((old_kid, file.key_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::RobotId;
    use registry::labels::SigCheck;

    fn config(dir: &Path) -> Config {
        let mut c = Config::from_env().unwrap();
        c.signing_key = None;
        c.retired_signing_keys = vec![];
        c.signing_key_file = dir.join("keys/signing-key.json").display().to_string();
        c
    }

    #[test]
    fn first_start_makes_a_private_key_file_and_rotation_keeps_old_labels() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let first = load(&config).unwrap();
        let mode = std::fs::metadata(&config.signing_key_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // The same key on the next start.
        assert_eq!(load(&config).unwrap().current_kid(), first.current_kid());

        let id = RobotId::parse("CNSEJ5SE027600000000000000001").unwrap();
        let old_label = first.sign(&id);
        let code_hash = first.share_hash("7K3M9QX2HD4P");
        let (old, new) = rotate(&config).unwrap();
        assert_eq!(old, first.current_kid());
        let after = load(&config).unwrap();
        assert_eq!(after.current_kid(), new);
        assert!(matches!(
            after.verify(&id, &old_label),
            SigCheck::Valid { retired: true, .. }
        ));
        assert!(matches!(
            after.verify(&id, &after.sign(&id)),
            SigCheck::Valid { retired: false, .. }
        ));
        assert_eq!(
            after.share_hash("7K3M9QX2HD4P"),
            code_hash,
            "share codes outlive a rotation"
        );
        let mut own = config.clone();
        own.share_code_key = Some("07".repeat(32));
        assert_ne!(load(&own).unwrap().share_hash("7K3M9QX2HD4P"), code_hash);
    }

    #[test]
    fn a_key_from_the_environment_wins_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        config.signing_key = Some(BASE64URL_NOPAD.encode(&[9u8; 32]));
        let ring = load(&config).unwrap();
        assert_eq!(
            ring.current_kid(),
            key_id(&SigningKey::from_bytes(&[9; 32]).verifying_key())
        );
        assert!(!Path::new(&config.signing_key_file).exists());
        assert!(rotate(&config).is_err());
        config.signing_key = Some("09".repeat(32));
        assert_eq!(
            load(&config).unwrap().current_kid(),
            ring.current_kid(),
            "hex works too"
        );
        config.signing_key = Some("too short".into());
        let err = load(&config).unwrap_err().to_string();
        assert!(err.contains("SIGNING_KEY"), "{err}");
    }
}
