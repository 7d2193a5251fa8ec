//! Environment variables in spec paths: `%WINDIR%` (Windows style) and `$HOME` / `${HOME}`
//! (Unix style). An unknown variable is left as written, so the path simply is not found and
//! the manifest shows what was looked for.

pub fn expand_vars(s: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find(['%', '$']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let (name, consumed) = if let Some(body) = tail.strip_prefix('%') {
            match body.find('%') {
                Some(end) if end > 0 && is_name(&body[..end]) => (&body[..end], end + 2),
                _ => ("", 1),
            }
        } else if let Some(body) = tail.strip_prefix("${") {
            match body.find('}') {
                Some(end) if end > 0 && is_name(&body[..end]) => (&body[..end], end + 3),
                _ => ("", 1),
            }
        } else {
            let body = &tail[1..];
            let end = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            (&body[..end], end + 1)
        };
        match (name.is_empty(), env(name)) {
            (false, Some(value)) => out.push_str(&value),
            _ => out.push_str(&tail[..consumed.max(1)]),
        }
        rest = &tail[consumed.max(1)..];
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '(' | ')'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "WINDIR" => Some(r"C:\Windows".into()),
            "HOME" => Some("/home/u".into()),
            "ProgramFiles(x86)" => Some(r"C:\Program Files (x86)".into()),
            _ => None,
        }
    }

    #[test]
    fn both_styles_and_unknown_names() {
        assert_eq!(
            expand_vars(r"%WINDIR%\Panther\*.log", &env),
            r"C:\Windows\Panther\*.log"
        );
        assert_eq!(
            expand_vars("$HOME/.log and ${HOME}x", &env),
            "/home/u/.log and /home/ux"
        );
        assert_eq!(expand_vars("%NOPE%\\a $NOPE/b", &env), "%NOPE%\\a $NOPE/b");
        assert_eq!(expand_vars("100% sure $", &env), "100% sure $");
        assert_eq!(expand_vars("%ProgramFiles(x86)%\\x", &env), r"C:\Program Files (x86)\x");
    }
}
