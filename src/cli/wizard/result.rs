//! The result screen: where the zip is, how big, and what is in it per category, so the user
//! sees what leaves the machine before deciding to upload.

use cmgelog::collect::{Category, Outcome, Status};
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;

pub fn show(outcome: &Outcome, msg: &Messages, lang: Lang) {
    let m = &outcome.manifest;
    let size = std::fs::metadata(&outcome.zip).map(|md| md.len()).unwrap_or(0);
    eprintln!("\n{}", msg.fill("collected", &[("path", &outcome.zip.display())]));
    eprintln!("{}", msg.fill("size", &[("size", &human_size(size))]));
    eprintln!("{}", msg.get("contents"));
    for cat in m.categories.iter().filter(|c| !m.not_applicable.contains(c)) {
        eprintln!("{}", category_line(outcome, *cat, msg, lang));
    }
    let masked: usize = m.items.iter().map(|r| r.masked_keys).sum();
    if masked > 0 {
        eprintln!("{}", msg.fill("masked", &[("n", &masked)]));
    }
    if m.interrupted {
        eprintln!("{}", msg.get("interrupted"));
    }
    eprintln!();
}

fn category_line(outcome: &Outcome, cat: Category, msg: &Messages, lang: Lang) -> String {
    let rows: Vec<_> = outcome.manifest.items.iter().filter(|r| r.category == cat).collect();
    let files = rows.iter().filter(|r| r.path.is_some()).count();
    let bytes: u64 = rows.iter().map(|r| r.bytes).sum();
    // A tool that does not exist on this machine is expected; these are real losses.
    let problems = rows
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                Status::Failed | Status::Timeout | Status::AccessDenied | Status::Skipped | Status::Interrupted
            )
        })
        .count();
    if files == 0 {
        // The manifest's reasons are English for scripts; the user sees the status in their
        // language, with the reason only where it names something (needs administrator, deadline).
        let reason = rows
            .iter()
            .map(|r| {
                let status = msg.get(&format!("status-{}", r.status.id())).to_string();
                match (r.status, r.reason.as_deref()) {
                    (Status::Skipped, Some(why)) => format!("{status}: {why}"),
                    _ => status,
                }
            })
            .next()
            .unwrap_or_else(|| "-".to_string());
        return msg.fill("category-none", &[("name", &cat.label(lang)), ("reason", &reason)]);
    }
    let problems = if problems > 0 {
        msg.fill("category-problems", &[("n", &problems)])
    } else {
        String::new()
    };
    msg.fill(
        "category-line",
        &[
            ("name", &cat.label(lang)),
            ("files", &files),
            ("size", &human_size(bytes)),
            ("problems", &problems),
        ],
    )
}

pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::human_size(512), "512 B");
        assert_eq!(super::human_size(1536), "1.5 KB");
        assert_eq!(super::human_size(5 << 20), "5.0 MB");
    }
}
