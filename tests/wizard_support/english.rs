//! Finds English sentences in what a Chinese run printed. Allowed: paths, URLs, hashes,
//! command lines (a line's `cmgelog …` to its end), item ids, tool names, units and key names
//! — single Latin words between Chinese text. An English sentence is two Latin words or more
//! in a row ("Connection refused", "unknown category").

use regex::Regex;

/// The lines of `text` holding an English sentence, with the words found.
pub fn english_sentences(text: &str) -> Vec<String> {
    let allowed = Regex::new(concat!(
        r"cmgelog\s.*$",                      // a command line, to the end of the line
        r"|[A-Za-z][A-Za-z0-9+.-]*://\S+",    // URLs
        r"|(?:[A-Za-z]:)?[\\/]\S*",           // paths (and what follows a slash)
        r"|\b[0-9a-fA-F]{16,}\b",             // hashes
        r"|\bSHA-256\b|\bCtrl\+C\b|\bHTTP\b", // names that stay as they are
    ))
    .unwrap();
    let sentence = Regex::new(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,})+").unwrap();
    text.lines()
        .filter_map(|line| {
            let rest = allowed.replace_all(line, " ");
            sentence.find(&rest).map(|m| format!("{:?} in {line:?}", m.as_str()))
        })
        .collect()
}

#[test]
fn finds_sentences_and_allows_paths_urls_and_commands() {
    let clean = "压缩包已保存在：/tmp/x y/CMGE_Log_host.zip\n\
                 以后可以接着上传：cmgelog upload '/tmp/a b.zip' --url http://127.0.0.1:1/files/ --user case-1\n\
                 SHA-256：e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
                 硬件信息（dmidecode）· hw.lsblk  1.5 KB  按 Ctrl+C 可中止";
    assert_eq!(english_sentences(clean), Vec::<String>::new());
    let dirty = "网络错误：tcp connect error: Connection refused (os error 111)\n? 上传吗？ (y/n) › no";
    assert_eq!(english_sentences(dirty).len(), 1, "{:?}", english_sentences(dirty));
    assert_eq!(english_sentences("最长 10m，unknown category").len(), 1);
}
