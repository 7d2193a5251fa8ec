//! The result of a collection as the user sees it: per category, how many files and how
//! much, and what was lost and why, from the manifest.

use super::step::{CategoryContents, Collected};
use super::words;
use crate::collect::{Outcome, Status};
use crate::messages::Messages;

pub fn collected(outcome: &Outcome, msg: &Messages) -> Collected {
    let m = &outcome.manifest;
    let size = std::fs::metadata(&outcome.zip).map(|md| md.len()).unwrap_or(0);
    let contents = m
        .categories
        .iter()
        .filter(|c| !m.not_applicable.contains(c))
        .map(|&category| {
            let rows: Vec<_> = m.items.iter().filter(|r| r.category == category).collect();
            let files = rows.iter().filter(|r| r.path.is_some()).count();
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
            let none_reason = (files == 0).then(|| {
                rows.first()
                    .map(|r| words::item_status(msg, r.status, r.reason.as_deref()))
                    .unwrap_or_else(|| "-".to_string())
            });
            CategoryContents {
                category,
                label: words::category(msg, category),
                files,
                bytes: rows.iter().map(|r| r.bytes).sum(),
                problems,
                none_reason,
            }
        })
        .collect();
    Collected {
        zip: outcome.zip.clone(),
        size,
        size_words: words::size(size),
        contents,
        masked_keys: m.items.iter().map(|r| r.masked_keys).sum(),
        interrupted: m.interrupted,
        can_open_folder: cfg!(windows),
    }
}
