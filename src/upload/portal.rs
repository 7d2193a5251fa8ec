//! The portal address as a user types it, checked before anything is asked that depends on
//! it: `support.example.cn/files/` gets `https://`, a typo is said at once (not after the
//! password as "relative URL without a base"), and the server is asked whether it is there at
//! all before the password is typed.

use super::error::UploadError;
use super::without_credentials;
use reqwest::Url;
use std::time::Duration;

/// How long the presence check waits for an answer.
const PRESENCE_TIMEOUT: Duration = Duration::from_secs(8);

/// The address made whole and checked: trimmed, `https://` added when no scheme is given.
pub fn normalise(text: &str) -> Result<Url, UploadError> {
    let text = text.trim();
    let whole = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let url = Url::parse(&whole).map_err(|e| UploadError::Url {
        url: without_credentials(text),
        detail: e.to_string(),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UploadError::CredentialsInUrl {
            url: without_credentials(text),
        });
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(UploadError::Url {
            url: text.to_string(),
            detail: "http:// or https:// and a host name expected".into(),
        });
    }
    Ok(url)
}

/// Whether the portal answers at all: any HTTP answer to `OPTIONS` counts (a 401 too: the
/// credentials come later); a connection or TLS failure is the error. Setting `cancel` ends
/// the wait within a fraction of a second ([`UploadError::Cancelled`]).
pub fn present(
    url: &Url,
    ca_cert: Option<&std::path::Path>,
    cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> Result<(), UploadError> {
    let nobody = super::Password::new(String::new());
    let http = super::http::Http::new(ca_cert, "", &nobody, cancel)?;
    http.presence(url, PRESENCE_TIMEOUT).map_err(|f| match f {
        super::retry::Failure::Fatal(e) => e,
        super::retry::Failure::Transient(t) => t.into_error(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_made_whole_or_refused() {
        assert_eq!(
            normalise(" support.example.invalid/files/ ").unwrap().as_str(),
            "https://support.example.invalid/files/"
        );
        assert_eq!(
            normalise("http://127.0.0.1:1080/files/").unwrap().as_str(),
            "http://127.0.0.1:1080/files/"
        );
        assert!(matches!(
            normalise("https://u:pw@h/"),
            Err(UploadError::CredentialsInUrl { .. })
        ));
        assert!(matches!(normalise("ftp://h/"), Err(UploadError::Url { .. })));
        assert!(matches!(normalise("https://exa mple/"), Err(UploadError::Url { .. })));
    }

    #[test]
    fn a_port_nobody_listens_on_is_not_present() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = normalise(&format!("http://127.0.0.1:{port}/files/")).unwrap();
        let e = present(&url, None, None).unwrap_err();
        assert!(matches!(e, UploadError::Network { .. }), "{e:?}");
        assert!(e.message().zh.contains("门户服务器拒绝连接"), "{}", e.message().zh);
    }
}
