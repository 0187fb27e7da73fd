//! Signed QR labels: the registry's Ed25519 keys, what a label says and how it is checked.
//!
//! A label encodes the portal URL of the robot's profile with a signature in its last path
//! segment: `HTTPS://HOST/R/{ID}/{KID}.{SIG}`. The signature is Ed25519 over
//! `robopass-label-v1:{ID}:{KID}`; `KID` names the key (four base32 characters of the SHA-256
//! of its public key) and `SIG` is the 64-byte signature in unpadded base32. Everything is in
//! the QR alphanumeric set (upper case, digits, `/.:`), which packs 5.5 bits a character
//! instead of 8, so the code stays small enough to print 3 cm wide.

use crate::domain::RobotId;
use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Length of a key id, in base32 characters (20 bits of the public key's hash).
pub const KID_LEN: usize = 4;
/// Length of a signature in unpadded base32.
pub const SIG_LEN: usize = 103;

/// The id of a public key: the first [`KID_LEN`] base32 characters of its SHA-256.
pub fn key_id(public: &VerifyingKey) -> String {
    let hash = Sha256::digest(public.as_bytes());
    BASE32_NOPAD.encode(&hash)[..KID_LEN].to_string()
}

/// The bytes a label's signature covers: the canonical ID and the key id.
fn message(id: &RobotId, kid: &str) -> Vec<u8> {
    format!("robopass-label-v1:{id}:{kid}").into_bytes()
}

pub use crate::domain::verdict::SigCheck;

/// A public key as published at `/.well-known/robopass-keys.json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedKey {
    pub kid: String,
    /// The 32-byte public key, base64url without padding.
    pub public_key: String,
    /// `current` (signs new labels) or `retired` (still verifies old ones).
    pub status: &'static str,
}

/// The registry's keys: one that signs, and retired ones that still verify.
#[derive(Clone)]
pub struct Keyring {
    signing: SigningKey,
    kid: String,
    retired: Vec<(String, VerifyingKey)>,
    /// The key share codes are hashed under (`registry::share_codes`): kept apart from the
    /// signing key, so that rotating labels leaves codes working.
    share_key: [u8; 32],
}

/// The share-code key that goes with a signing key when none is configured: derived from it,
/// separated from every other use of it by its label.
pub fn share_key_of(signing: &SigningKey) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"robopass share-code key v1\n");
    h.update(signing.as_bytes());
    h.finalize().into()
}

/// Never print a secret key, not even in a debug log.
impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.kid)
            .field(
                "retired",
                &self.retired.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Keyring {
    pub fn new(signing: SigningKey, retired: Vec<VerifyingKey>) -> Keyring {
        let kid = key_id(&signing.verifying_key());
        let retired = retired
            .into_iter()
            .map(|k| (key_id(&k), k))
            .filter(|(k, _)| *k != kid)
            .collect();
        Keyring {
            share_key: share_key_of(&signing),
            signing,
            kid,
            retired,
        }
    }

    /// The same keys, with share codes hashed under `key`.
    pub fn with_share_key(mut self, key: [u8; 32]) -> Keyring {
        self.share_key = key;
        self
    }

    /// The keyed hash a share code is kept as (HMAC-SHA256, hex).
    pub fn share_hash(&self, code: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.share_key)
            .expect("HMAC takes a key of any length");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The id of the key that signs new labels.
    pub fn current_kid(&self) -> &str {
        &self.kid
    }

    /// The last path segment of a label for `id`: `KID.SIG`.
    pub fn sign(&self, id: &RobotId) -> String {
        let sig = self.signing.sign(&message(id, &self.kid));
        format!("{}.{}", self.kid, BASE32_NOPAD.encode(&sig.to_bytes()))
    }

    /// The path a label for `id` opens: `/R/{ID}/{KID}.{SIG}`.
    pub fn label_path(&self, id: &RobotId) -> String {
        format!("/R/{id}/{}", self.sign(id))
    }

    /// The text a label's QR code holds: `origin` (scheme and host, upper-cased: both are
    /// case-insensitive, and upper case keeps the code in the compact alphanumeric mode)
    /// followed by [`Keyring::label_path`].
    pub fn label_url(&self, origin: &str, id: &RobotId) -> String {
        format!(
            "{}{}",
            origin.trim_end_matches('/').to_ascii_uppercase(),
            self.label_path(id)
        )
    }

    /// Check the `KID.SIG` segment of a label for `id`, against current and retired keys.
    pub fn verify(&self, id: &RobotId, token: &str) -> SigCheck {
        let Some((kid, sig)) = token.split_once('.') else {
            return SigCheck::Malformed;
        };
        let kid = kid.to_ascii_uppercase();
        let sig = sig.to_ascii_uppercase();
        if kid.len() != KID_LEN || sig.len() != SIG_LEN {
            return SigCheck::Malformed;
        }
        let Some(signature) = BASE32_NOPAD
            .decode(sig.as_bytes())
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .map(|b| Signature::from_bytes(&b))
        else {
            return SigCheck::Malformed;
        };
        let (key, retired) = if kid == self.kid {
            (self.signing.verifying_key(), false)
        } else if let Some((_, key)) = self.retired.iter().find(|(k, _)| *k == kid) {
            (*key, true)
        } else {
            return SigCheck::UnknownKey { kid };
        };
        match key.verify(&message(id, &kid), &signature) {
            Ok(()) => SigCheck::Valid { kid, retired },
            Err(_) => SigCheck::BadSignature { kid },
        }
    }

    /// Every key that verifies labels, the signing one first.
    pub fn published(&self) -> Vec<PublishedKey> {
        let encode = |b: &[u8]| data_encoding::BASE64URL_NOPAD.encode(b);
        std::iter::once(PublishedKey {
            kid: self.kid.clone(),
            public_key: encode(self.signing.verifying_key().as_bytes()),
            status: "current",
        })
        .chain(self.retired.iter().map(|(kid, key)| PublishedKey {
            kid: kid.clone(),
            public_key: encode(key.as_bytes()),
            status: "retired",
        }))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn id() -> RobotId {
        RobotId::parse("CNSEJ5SE027600000000000000001").unwrap()
    }

    #[test]
    fn a_label_verifies_and_names_its_key() {
        let ring = Keyring::new(key(1), vec![]);
        let token = ring.sign(&id());
        assert_eq!(token.len(), KID_LEN + 1 + SIG_LEN);
        assert_eq!(
            ring.verify(&id(), &token),
            SigCheck::Valid {
                kid: ring.current_kid().to_string(),
                retired: false
            }
        );
        // Scanners and browsers may lower-case a path; the check does not mind.
        assert!(matches!(
            ring.verify(&id(), &token.to_ascii_lowercase()),
            SigCheck::Valid { .. }
        ));
    }

    #[test]
    fn a_label_for_another_id_or_key_does_not_verify() {
        let ring = Keyring::new(key(1), vec![]);
        let other = RobotId::parse("CNSEJ5SE027600000000000000002").unwrap();
        let token = ring.sign(&other);
        assert!(matches!(
            ring.verify(&id(), &token),
            SigCheck::BadSignature { .. }
        ));
        let stranger = Keyring::new(key(2), vec![]);
        assert!(matches!(
            ring.verify(&id(), &stranger.sign(&id())),
            SigCheck::UnknownKey { .. }
        ));
        assert_eq!(ring.verify(&id(), "nonsense"), SigCheck::Malformed);
        assert_eq!(ring.verify(&id(), "ABCD.!!"), SigCheck::Malformed);
    }

    #[test]
    fn rotation_keeps_old_labels_verifiable() {
        let old = Keyring::new(key(1), vec![]);
        let old_label = old.sign(&id());
        let new = Keyring::new(key(2), vec![key(1).verifying_key()]);
        assert_ne!(new.current_kid(), old.current_kid());
        assert_eq!(
            new.verify(&id(), &old_label),
            SigCheck::Valid {
                kid: old.current_kid().to_string(),
                retired: true
            }
        );
        let published = new.published();
        assert_eq!(published.len(), 2);
        assert_eq!(published[0].status, "current");
        assert_eq!(published[1].status, "retired");
    }

    #[test]
    fn the_label_url_is_all_qr_alphanumeric() {
        let ring = Keyring::new(key(7), vec![]);
        let url = ring.label_url("https://robopass.example", &id());
        assert!(url.starts_with("HTTPS://ROBOPASS.EXAMPLE/R/CNSEJ5SE027600000000000000001/"));
        assert!(url
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "/.:".contains(c)));
        assert!(!format!("{ring:?}").contains(&format!("{:?}", key(7).to_bytes())));
    }
}

/// The verdict rules (`domain::verdict`) with the registry's own keys.
#[cfg(test)]
mod verdict_tests {
    use super::Keyring;
    use crate::domain::link::OurHosts;
    use crate::domain::verdict::{judge, Verdict};
    use crate::domain::RobotId;
    use ed25519_dalek::SigningKey;

    fn judge_with(text: &str, hosts: &OurHosts, keys: &Keyring) -> Verdict {
        judge(text, hosts, |id, token| keys.verify(id, token))
    }

    const ID: &str = "CNSEJ5SE027600000000000000001";

    fn ring() -> Keyring {
        Keyring::new(SigningKey::from_bytes(&[3; 32]), vec![])
    }

    /// A registry reached over plain http (a link's scheme does not matter).
    fn hosts() -> OurHosts {
        OurHosts::new("http://127.0.0.1:3000", ["robopass.example".to_string()])
    }

    /// A registry reached over https: a plain http link to it is not genuine.
    fn https_hosts() -> OurHosts {
        OurHosts::new("https://robopass.example", ["127.0.0.1:3000".to_string()])
    }

    fn judged(text: &str) -> Verdict {
        judge_with(text, &hosts(), &ring())
    }

    #[test]
    fn an_official_label_is_verified() {
        let id = RobotId::parse(ID).unwrap();
        let url = ring().label_url("https://robopass.example", &id);
        assert!(matches!(judged(&url), Verdict::VerifiedLabel { .. }));
        // What a phone's browser makes of it after following it.
        assert!(matches!(
            judged(&url.replace("HTTPS://ROBOPASS.EXAMPLE", "https://robopass.example")),
            Verdict::VerifiedLabel { .. }
        ));
        let next = judged(&url).next_page().unwrap();
        assert_eq!(next, format!("/r/{ID}/{}", ring().sign(&id)));
    }

    #[test]
    fn our_link_without_a_valid_signature_was_not_issued() {
        assert_eq!(
            judged(&format!("https://robopass.example/r/{ID}")),
            Verdict::NotIssued {
                id: ID.into(),
                problem: "no_signature",
                token: None
            }
        );
        assert_eq!(
            judged(&format!("https://robopass.example/r/{ID}"))
                .next_page()
                .unwrap(),
            format!("/r/{ID}?label=unsigned")
        );
        let other = Keyring::new(SigningKey::from_bytes(&[4; 32]), vec![]);
        let forged = other.label_url("http://127.0.0.1:3000", &RobotId::parse(ID).unwrap());
        assert!(matches!(
            judged(&forged),
            Verdict::NotIssued {
                problem: "unknown_key",
                ..
            }
        ));
    }

    #[test]
    fn a_link_elsewhere_is_foreign_and_names_the_host() {
        assert_eq!(
            judged(&format!("https://robopass-verify.example.com/r/{ID}")),
            Verdict::ForeignHost {
                host: "robopass-verify.example.com".into(),
                id: Some(ID.into())
            }
        );
        // The userinfo trick: the host is what follows `@`.
        assert!(matches!(
            judged(&format!("https://robopass.example@evil.example/r/{ID}")),
            Verdict::ForeignHost { host, .. } if host == "evil.example"
        ));
        assert_eq!(
            judged("https://shop.example/buy?robot=none"),
            Verdict::ForeignHost {
                host: "shop.example".into(),
                id: None
            }
        );
    }

    #[test]
    fn only_our_exact_host_port_and_scheme_count() {
        let id = RobotId::parse(ID).unwrap();
        let label = ring().label_url("https://robopass.example", &id);
        // Another port on our host name is another server.
        let other_port = label.replace("ROBOPASS.EXAMPLE", "ROBOPASS.EXAMPLE:8080");
        assert!(
            matches!(judged(&other_port), Verdict::ForeignHost { host, .. } if host == "robopass.example:8080")
        );
        // Plain http to an https registry: not a genuine label, whatever its signature.
        let (https, keys) = (https_hosts(), ring());
        let insecure = label.replace("HTTPS://", "HTTP://");
        let v = judge_with(&insecure, &https, &keys);
        assert!(
            matches!(
                v,
                Verdict::NotIssued {
                    problem: "insecure_link",
                    ..
                }
            ),
            "{v:?}"
        );
        assert_eq!(v.next_page().unwrap(), format!("/r/{ID}?label=unsigned"));
        assert!(matches!(
            judge_with(&label, &https, &keys),
            Verdict::VerifiedLabel { .. }
        ));
    }

    /// One table of links, through the lookup box's rule and the verdict's: they agree on
    /// whose each link is, the robot it names, and the host a foreign one is named by.
    #[test]
    fn the_lookup_box_and_the_verdict_follow_one_rule() {
        let id = RobotId::parse(ID).unwrap();
        let label = ring().label_url("https://robopass.example", &id);
        let ours = [
            label.clone(),
            format!("https://robopass.example/r/{ID}"),
            format!("https://robopass.example:443/R/{ID}"),
            format!("robopass.example/r/{ID}"),
            format!("http://127.0.0.1:3000/r/{ID}"),
        ];
        let foreign = [
            (
                label.replace("ROBOPASS.EXAMPLE", "ROBOPASS.EXAMPLE:8080"),
                "robopass.example:8080",
            ),
            (format!("https://127.0.0.1/r/{ID}"), "127.0.0.1"),
            (
                format!("https://me@robopass.example/r/{ID}"),
                "robopass.example",
            ),
            (
                format!("https://robopass.example@evil.example/r/{ID}"),
                "evil.example",
            ),
            (
                format!("https://evil.example\\@robopass.example/r/{ID}"),
                "evil.example",
            ),
            (
                format!("https://robopass%2Eexample/r/{ID}"),
                "robopass%2eexample",
            ),
            (
                format!("https://robopass.ex\u{430}mple/r/{ID}"),
                "robopass.ex[U+0430]mple",
            ),
        ];
        let hosts = hosts();
        for link in &ours {
            assert_eq!(
                RobotId::parse_lookup(link, hosts.names()),
                Ok(id.clone()),
                "{link}"
            );
            let v = judged(link);
            assert!(
                matches!(&v, Verdict::VerifiedLabel { id: i, .. } | Verdict::NotIssued { id: i, .. } if i == ID),
                "{link}: {v:?}"
            );
        }
        for (link, host) in &foreign {
            assert_eq!(
                RobotId::parse_lookup(link, hosts.names()),
                Err(crate::domain::IdError::ForeignUrl {
                    host: host.to_string()
                }),
                "{link}"
            );
            assert_eq!(
                judged(link),
                Verdict::ForeignHost {
                    host: host.to_string(),
                    id: Some(ID.into())
                },
                "{link}"
            );
        }
    }

    #[test]
    fn plain_text_is_an_id_or_says_why_not() {
        assert_eq!(
            judged("cnsej5se0276-00000000000000001"),
            Verdict::RobotId { id: ID.into() }
        );
        assert!(matches!(
            judged("WIFI:S:cafe;T:WPA;P:secret;;"),
            Verdict::NotARobotId { .. }
        ));
        assert!(matches!(
            judged("hello, world"),
            Verdict::NotARobotId {
                problem: "invalid_character"
            }
        ));
        assert!(matches!(
            judged("https://robopass.example/about"),
            Verdict::NotARobotId {
                problem: "not_a_profile_url"
            }
        ));
    }
}
