//! The known-good regression suite, as hayabusa and Sigma keep one: real public logs and
//! inventories that nobody on this project wrote (tests/fixtures/goodlogs, provenance in its
//! README) run through the built-in rules, each file as one machine. What the analyzer says
//! about each — every finding with where its evidence is, the virtual-machine verdict, what
//! could not be read — must equal `expected.txt`, so a new false positive (or a lost true
//! one) fails the suite. Every finding in `expected.txt` was checked by hand against the file.
//!
//! `truth.tsv` says, per file whose machine is known, whether it is a VM guest, from what the
//! file itself shows. A physical machine taken for a VM fails the suite; the table of precision
//! and recall is printed (`cargo test --test goodlogs -- --nocapture`) and kept in docs/analyze.md.
//!
//! After a deliberate change: `CMGELOG_BLESS=1 cargo test --test goodlogs`, then review the
//! diff of `expected.txt` line by line before committing it.

use cmgelog::analysis::{analyze, Analysis};
use cmgelog::bundle::Limits;
use cmgelog::facts::virt::{assess, Verdict};
use cmgelog::rules::RuleSet;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/goodlogs");

/// Every corpus file (a file is one machine), sorted, relative to ROOT.
fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(ROOT)
        .min_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(ROOT).expect("under ROOT").to_path_buf())
        .collect();
    files.sort();
    files
}

fn verdict_name(v: Verdict) -> String {
    format!("{v:?}").to_ascii_lowercase()
}

/// One line per file: `file | findings | vm verdict | errors`.
fn describe(rel: &Path, a: &Analysis) -> String {
    let mut findings: Vec<String> = a
        .findings
        .iter()
        .map(|f| {
            let mut at: Vec<String> = f
                .evidence
                .iter()
                .map(|e| match (&e.event, e.line) {
                    (Some(ev), _) => ev.record_id.map_or(String::new(), |r| format!("#{r}")),
                    (None, Some(l)) => format!(":{l}"),
                    (None, None) => String::new(),
                })
                .filter(|s| !s.is_empty())
                .collect();
            at.dedup();
            at.truncate(5);
            format!(
                "{}{}",
                f.rule,
                if at.is_empty() {
                    String::new()
                } else {
                    format!("[{}]", at.join(","))
                }
            )
        })
        .collect();
    findings.sort();
    let mut errors: Vec<String> = a.errors.iter().map(|e| e.kind.code()).collect();
    errors.sort();
    errors.dedup();
    format!(
        "{} | {} | vm={} | {}",
        rel.display(),
        if findings.is_empty() {
            "-".to_string()
        } else {
            findings.join(" ")
        },
        verdict_name(assess(&a.machine.vm_hints).verdict),
        if errors.is_empty() {
            "-".to_string()
        } else {
            errors.join(",")
        },
    )
}

fn run_corpus() -> (Vec<String>, BTreeMap<String, Verdict>) {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let limits = Limits::default();
    let mut lines = Vec::new();
    let mut verdicts = BTreeMap::new();
    for rel in corpus() {
        if rel.parent() == Some(Path::new("")) {
            continue;
        }
        let a = analyze(&[Path::new(ROOT).join(&rel)], &rules, &limits);
        verdicts.insert(rel.display().to_string(), assess(&a.machine.vm_hints).verdict);
        lines.push(describe(&rel, &a));
    }
    (lines, verdicts)
}

#[test]
fn known_good_logs_give_exactly_the_expected_findings() {
    let (lines, verdicts) = run_corpus();
    assert!(lines.len() >= 50, "the corpus is there: {} files", lines.len());
    let got = lines.join("\n") + "\n";
    let expected_path = Path::new(ROOT).join("expected.txt");
    if std::env::var_os("CMGELOG_BLESS").is_some() {
        std::fs::write(&expected_path, &got).expect("write expected.txt");
    }
    let expected = std::fs::read_to_string(&expected_path).expect("expected.txt is checked in");
    let mut diff = String::new();
    let exp: Vec<&str> = expected.lines().collect();
    for l in got.lines().filter(|l| !exp.contains(l)) {
        let _ = writeln!(diff, "+ {l}");
    }
    for l in exp.iter().filter(|l| !got.lines().any(|g| g == **l)) {
        let _ = writeln!(diff, "- {l}");
    }
    assert!(
        diff.is_empty(),
        "the analyzer's verdicts on the known-good corpus changed (+ now, - expected):\n{diff}\n\
         Review each line; if the change is right, rerun with CMGELOG_BLESS=1 and commit expected.txt."
    );
    vm_accuracy(&verdicts);
}

/// Precision and recall of the VM verdict over the files whose machine is known
/// (`truth.tsv`). "Virtual" and "likely" count as saying VM; "possible" is an info hint and
/// counts as not saying it.
fn vm_accuracy(verdicts: &BTreeMap<String, Verdict>) {
    let truth = std::fs::read_to_string(Path::new(ROOT).join("truth.tsv")).expect("truth.tsv");
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let (mut hinted, mut false_hint) = (0, Vec::new());
    let mut false_vm = Vec::new();
    let mut missed = Vec::new();
    for line in truth.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (Some(file), Some(label)) = (cols.next(), cols.next()) else {
            panic!("truth.tsv: bad line {line:?}");
        };
        let Some(v) = verdicts.get(file) else {
            panic!("truth.tsv names {file}, which is not in the corpus");
        };
        let says_vm = matches!(v, Verdict::Virtual | Verdict::Likely);
        if *v == Verdict::Possible {
            match label {
                "virtual" => hinted += 1,
                _ => false_hint.push(file.to_string()),
            }
        }
        match (label, says_vm) {
            ("virtual", true) => tp += 1,
            ("virtual", false) => {
                fn_ += 1;
                missed.push(format!("{file} ({})", verdict_name(*v)));
            }
            ("physical", true) => {
                fp += 1;
                false_vm.push(file.to_string());
            }
            ("physical", false) => tn += 1,
            _ => panic!("truth.tsv: label must be virtual or physical: {line:?}"),
        }
    }
    println!(
        "VM verdict on {} labelled files: {tp} VMs found, {fn_} missed, {fp} physical called virtual, {tn} physical right",
        tp + fp + fn_ + tn
    );
    println!(
        "of the {fn_} missed, {hinted} get the 'possible' hint (vm.possible, info); physical machines hinted: {}",
        false_hint.len()
    );
    println!("missed: {missed:?}");
    assert!(false_vm.is_empty(), "physical machines called virtual: {false_vm:?}");
    assert!(
        false_hint.is_empty(),
        "physical machines given the 'possible' hint: {false_hint:?}"
    );
}
