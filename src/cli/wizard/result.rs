//! The result screen: where the zip is, how big, and what is in it per category, in columns
//! that line up by display width (a Chinese character takes two cells), so the user sees what
//! leaves the machine before deciding to upload.

use super::prompt::Prompts;
use cmgelog::flow::{words, CategoryContents, Collected, Flow, Input};
use cmgelog::messages::Messages;
use unicode_width::UnicodeWidthStr;

pub fn show(flow: &mut Flow, prompts: &Prompts, c: &Collected) {
    let msg = flow.messages();
    eprintln!("\n{}", msg.fill("collected", &[("path", &c.zip.display())]));
    eprintln!("{}", msg.fill("size", &[("size", &c.size_words)]));
    eprintln!("{}", msg.get("contents"));
    for line in contents_lines(&c.contents, msg) {
        eprintln!("{line}");
    }
    if c.masked_keys > 0 {
        eprintln!("{}", msg.fill("masked", &[("n", &c.masked_keys)]));
    }
    if c.interrupted {
        eprintln!("{}", msg.get("interrupted"));
    }
    eprintln!();
    let upload_by_default = flow.setup().config.portal.url.is_some();
    let answer = prompts.confirm(msg.get("upload-ask"), upload_by_default);
    if c.can_open_folder {
        // Windows: Explorer with the zip selected, as the old tool did after 确定.
        flow.input(Input::OpenFolder);
    }
    flow.input(match answer {
        Some(true) => Input::StartUpload,
        _ => Input::SkipUpload,
    });
}

/// One line per category: names padded to the widest, file counts right-aligned.
pub fn contents_lines(rows: &[CategoryContents], msg: &Messages) -> Vec<String> {
    let colon = msg.get("colon");
    let names: Vec<String> = rows.iter().map(|r| format!("{}{colon}", r.label)).collect();
    let name_width = names.iter().map(|n| n.width()).max().unwrap_or(0);
    let count_width = rows.iter().map(|r| r.files.to_string().len()).max().unwrap_or(1);
    rows.iter()
        .zip(names)
        .map(|(r, name)| {
            let name = format!("{name}{}", " ".repeat(name_width - name.width()));
            match &r.none_reason {
                Some(reason) => msg.fill("category-none", &[("name", &name), ("reason", reason)]),
                None => {
                    let problems = if r.problems > 0 {
                        msg.fill("category-problems", &[("n", &r.problems)])
                    } else {
                        String::new()
                    };
                    msg.fill(
                        "category-line",
                        &[
                            ("name", &name),
                            ("files", &format!("{:>count_width$}", r.files)),
                            ("size", &words::size(r.bytes)),
                            ("problems", &problems),
                        ],
                    )
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmgelog::collect::Category;
    use cmgelog::i18n::Lang;

    fn row(category: Category, label: &str, files: usize, none: Option<&str>) -> CategoryContents {
        CategoryContents {
            category,
            label: label.into(),
            files,
            bytes: 2048,
            problems: 0,
            none_reason: none.map(String::from),
        }
    }

    #[test]
    fn chinese_columns_line_up_by_display_width() {
        let msg = Messages::new(Lang::Zh);
        let lines = contents_lines(
            &[
                row(Category::GroupPolicy, "组策略信息", 3, None),
                row(Category::Network, "网络信息", 12, None),
                row(Category::Activation, "激活日志", 0, Some("未找到")),
            ],
            &msg,
        );
        assert_eq!(lines[0], "  组策略信息： 3 个文件，2.0 KB");
        assert_eq!(lines[1], "  网络信息：  12 个文件，2.0 KB");
        assert_eq!(lines[2], "  激活日志：  未收集（未找到）");
        // The text after the names starts in the same column on screen.
        let col = |l: &str, at: &str| l[..l.find(at).unwrap()].width();
        assert_eq!(col(&lines[0], "3 个"), col(&lines[1], "2 个"));
        assert_eq!(col(&lines[1], "1"), col(&lines[2], "未收集"));
    }
}
