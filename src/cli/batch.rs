//! `cmgelog batch PATH...`: options, output, index and progress around `cmgelog::batch::run`.

use super::{output, progress, rules_cmd, LimitOptions, RuleOptions};
use clap::ValueEnum;
use cmgelog::batch::{self, index::IndexWriter, BatchConfig, Shard};
use cmgelog::exit_code::AnalysisExit;
use cmgelog::i18n::Lang;
use cmgelog::report::batch::{csv::CsvWriter, jsonl::JsonlWriter, text::TextWriter, BatchWriter};
use cmgelog::report::html_batch::HtmlBatchWriter;
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum BatchFormat {
    Jsonl,
    Csv,
    Text,
    Html,
}

#[derive(clap::Args, Debug)]
pub struct BatchArgs {
    /// Bundles (.zip files), folders to search for *.zip, or glob patterns.
    #[arg(required = true, value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Bundles analysed at once [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// jsonl: one JSON record per bundle, then the summary (schema in
    /// src/report/batch/jsonl.rs); csv: one row per bundle (summary on stderr); text: a line per
    /// bundle and the summary; html: one page with charts and a table.
    #[arg(long, value_enum, default_value_t = BatchFormat::Jsonl)]
    pub format: BatchFormat,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Records in the order of the bundles (sorted by path), the same from run to run, instead
    /// of as they finish; memory stays bounded (a few bundles per job wait at most).
    #[arg(long)]
    pub ordered: bool,
    /// Write only the summary, not one record per bundle.
    #[arg(long)]
    pub summary: bool,
    /// Process only the I-th of N disjoint parts (1-based), e.g. 2/8.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Also write a SQLite index of every bundle's identifiers (for `find --index`).
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleOptions,
    #[command(flatten)]
    pub limits: LimitOptions,
}

pub fn run(args: &BatchArgs, lang: Lang) -> AnalysisExit {
    let rules = match rules_cmd::load(&args.rules) {
        // Many bundles: a faster event filter is worth its longer build.
        Ok(r) => r.for_many_bundles(),
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return AnalysisExit::Unreadable;
        }
    };
    let (mut bundles, mut missing) = batch::discover(&args.inputs);
    if bundles.is_empty() && missing.is_empty() {
        // A mistyped path in a cluster job must not pass as "0 bundles, all fine".
        let paths: Vec<String> = args.inputs.iter().map(|p| p.display().to_string()).collect();
        output::error(lang, "这些路径下没有压缩包", "no bundle under", paths.join(", "));
        return AnalysisExit::Unreadable;
    }
    if let Some(shard) = args.shard {
        bundles.retain(|b| shard.contains(&b.key));
        missing.retain(|e| shard.contains(&e.path));
    }
    let out = match output::open(args.out.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            output::error(lang, "无法写入输出文件", "cannot write the output file", e);
            return AnalysisExit::Unreadable;
        }
    };
    let mut writer: Box<dyn BatchWriter> = match args.format {
        BatchFormat::Jsonl => Box::new(JsonlWriter::new(out)),
        BatchFormat::Csv => Box::new(CsvWriter::new(out)),
        BatchFormat::Text => Box::new(TextWriter::new(out, lang)),
        BatchFormat::Html => match HtmlBatchWriter::new(out, lang) {
            Ok(w) => Box::new(w),
            Err(e) => {
                output::error(lang, "无法创建临时文件", "cannot create a temporary file", e);
                return AnalysisExit::Unreadable;
            }
        },
    };
    let mut index = match args.index.as_deref().map(IndexWriter::create).transpose() {
        Ok(i) => i,
        Err(e) => {
            output::error(lang, "无法创建索引", "cannot create the index", e);
            return AnalysisExit::Unreadable;
        }
    };
    let config = BatchConfig {
        rules: &rules,
        limits: args.limits.limits(),
        lang,
        jobs: args.jobs.unwrap_or(0),
        ordered: args.ordered,
    };
    let bar = progress::bar((bundles.len() + missing.len()) as u64);
    // The worst exit code of any bundle, and the first output or index failure (which stops
    // the batch: a result that cannot be written is lost).
    let mut worst = AnalysisExit::Clean;
    let mut failure: Option<(&str, &str, String)> = None;
    let summary = batch::run(&bundles, &missing, &config, |record| {
        bar.inc(1);
        worst = worst.max(AnalysisExit::from_code(record.exit_code).unwrap_or(AnalysisExit::Unreadable));
        if let Some(ix) = index.as_mut() {
            if let Err(e) = ix.add(record) {
                failure = Some(("无法写入索引", "cannot write the index", e.to_string()));
                return false;
            }
        }
        if args.summary {
            return true;
        }
        match writer.record(record) {
            Ok(()) => true,
            Err(e) => {
                if !output::is_broken_pipe(&e) {
                    failure = Some(("无法写入输出", "cannot write the output", e.to_string()));
                }
                false
            }
        }
    });
    bar.finish_and_clear();
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            output::error(lang, "无法启动工作线程", "cannot start the worker threads", e);
            return AnalysisExit::Unreadable;
        }
    };
    if let Some(ix) = index {
        if let Err(e) = ix.finish() {
            failure.get_or_insert(("无法写入索引", "cannot write the index", e.to_string()));
        }
    }
    if let Err(e) = writer.summary(&summary) {
        if !output::is_broken_pipe(&e) {
            failure.get_or_insert(("无法写入输出", "cannot write the output", e.to_string()));
        }
    }
    // A CSV file holds one table: without --summary the summary goes to stderr.
    if args.format == BatchFormat::Csv && !args.summary {
        let _ = TextWriter::new(io::stderr().lock(), lang).summary(&summary);
    }
    let _ = io::stderr().flush();
    if let Some((zh, en, detail)) = failure {
        output::error(lang, zh, en, detail);
        return AnalysisExit::Unreadable;
    }
    worst
}
