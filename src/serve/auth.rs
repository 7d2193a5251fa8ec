//! `serve --auth FILE`: HTTP Basic authentication against a user file of salted Argon2id
//! hashes, one `user:$argon2id$…` line per person (`cmgelog serve --add-user NAME --auth FILE`
//! writes one). The file holds no password, only PHC strings; Basic sends the password with
//! every request, so anything beyond loopback belongs behind TLS (a reverse proxy).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use std::collections::HashMap;
use std::path::Path;

/// The users and their password hashes.
#[derive(Debug, Clone, Default)]
pub struct Users {
    hashes: HashMap<String, String>,
}

/// A problem with the user file: which line and what.
#[derive(Debug)]
pub struct UsersError {
    pub line: Option<usize>,
    pub message: String,
}

impl Users {
    pub fn load(path: &Path) -> Result<Users, UsersError> {
        let text = std::fs::read_to_string(path).map_err(|e| UsersError {
            line: None,
            message: e.to_string(),
        })?;
        let mut hashes = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |message: &str| UsersError {
                line: Some(i + 1),
                message: message.to_string(),
            };
            let (user, hash) = line.split_once(':').ok_or_else(|| bad("expected user:$argon2id$…"))?;
            PasswordHash::new(hash).map_err(|_| bad("not an Argon2 PHC string ($argon2id$…)"))?;
            hashes.insert(user.to_string(), hash.to_string());
        }
        if hashes.is_empty() {
            return Err(UsersError {
                line: None,
                message: "no users".into(),
            });
        }
        Ok(Users { hashes })
    }

    /// Whether an `Authorization` header value names a user with the right password.
    pub fn check(&self, authorization: Option<&str>) -> bool {
        let Some(encoded) = authorization.and_then(|a| a.strip_prefix("Basic ")) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(text) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = text.split_once(':') else {
            return false;
        };
        let Some(hash) = self.hashes.get(user) else {
            return false;
        };
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    }
}

/// The user file line for `user` with `password` (a fresh random salt).
pub fn line(user: &str, password: &str) -> Result<String, String> {
    if user.is_empty() || user.contains(':') || user.contains(char::is_whitespace) {
        return Err("a user name has no ':' and no spaces".into());
    }
    let salt = SaltString::generate(&mut password_hash::rand_core::OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| e.to_string())?;
    Ok(format!("{user}:{hash}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_line_verifies_only_its_own_password() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("users");
        let l = line("li.wei", "s3cret-口令").unwrap();
        assert!(!l.contains("s3cret"), "{l}");
        std::fs::write(&file, format!("# support team\n{l}\n")).unwrap();
        let users = Users::load(&file).unwrap();
        let basic = |u: &str, p: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        };
        assert!(users.check(Some(&basic("li.wei", "s3cret-口令"))));
        assert!(!users.check(Some(&basic("li.wei", "s3cret"))));
        assert!(!users.check(Some(&basic("wang", "s3cret-口令"))));
        assert!(!users.check(None));
        // Two lines for the same password differ: salted.
        assert_ne!(line("li.wei", "x").unwrap(), line("li.wei", "x").unwrap());
    }

    #[test]
    fn a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("users");
        std::fs::write(
            &file,
            "ok:$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA\nnocolon\n",
        )
        .unwrap();
        let e = Users::load(&file).unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
