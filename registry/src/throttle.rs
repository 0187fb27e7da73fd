//! Attempts counted against guessing (passwords, share codes) and against mail floods: per
//! bucket (an account's e-mail key, a client address), in fixed windows, in the database, so
//! that every instance on the same database shares one budget. A bucket over its limit is
//! refused without the work it asks for (no password is hashed) until its window ends.

use crate::db;
use crate::{Database, Error};
use std::net::IpAddr;

/// How many attempts each bucket may make per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// The window's length in seconds (at most a day).
    pub window_s: u64,
    /// Attempts per window on one account (its e-mail key), whoever makes them.
    pub per_account: u32,
    /// Attempts per window from one client address, whatever they are on.
    pub per_address: u32,
}

impl Default for Throttle {
    /// Ten tries on an account and a hundred from an address every quarter of an hour.
    fn default() -> Throttle {
        Throttle {
            window_s: 900,
            per_account: 10,
            per_address: 100,
        }
    }
}

/// What a client address counts as: itself for IPv4; its /64 for IPv6, since one subscriber
/// is given a whole /64 and could otherwise take a fresh address for each try.
pub fn address_key(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl Throttle {
    /// Count one attempt in each bucket, in order; the first over its `limit` refuses with
    /// the seconds until its window ends (later buckets are not counted then).
    pub async fn hit(&self, database: &Database, buckets: &[(&str, u32)]) -> Result<(), Error> {
        let window = self.window_s.clamp(1, 86_400);
        let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        let start = now - now % window;
        for (bucket, limit) in buckets {
            let count = db::count_attempt(database.pool(), bucket, start as i64).await?;
            if count > i64::from(*limit) {
                return Err(Error::TooMany {
                    retry_after_s: (start + window - now).max(1),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_subscriber_counts_as_one_address() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(
            address_key("::ffff:192.0.2.7".parse().unwrap()),
            "192.0.2.7"
        );
        assert_eq!(address_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
