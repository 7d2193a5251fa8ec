//! Exit codes: one typed list per command family, each code with its meaning in Chinese and
//! English. The lists are the one source of `--help`'s exit-code sections and of
//! `docs/exit-codes.md` (a test renders both and fails when they drift).
//!
//! The same number can mean different things in different families (3 is "no zip" for
//! `collect` and "wrong password" for `upload`): scripts read a code against its command's list.
//! clap's own usage errors (an unknown option, a missing argument) exit with 2 everywhere.

use crate::i18n::Lang;

/// One exit code and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meaning {
    pub code: u8,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Meaning {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

/// The exit codes of one command family and the commands that use them.
#[derive(Debug)]
pub struct Table {
    /// The commands, as typed after `cmgelog` (`""` is `cmgelog` alone: the wizard).
    pub commands: &'static [&'static str],
    pub codes: &'static [Meaning],
}

macro_rules! exit_codes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident for [$($command:literal),+] {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $en:literal, $zh:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const TABLE: Table = Table {
                commands: &[$($command),+],
                codes: &[$( Meaning { code: $code, zh: $zh, en: $en }, )+],
            };

            /// The number the process exits with.
            pub fn code(self) -> u8 {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The variant of a number, if the family has it.
            pub fn from_code(code: u8) -> Option<$name> {
                match code {
                    $( $code => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl From<$name> for u8 {
            fn from(e: $name) -> u8 {
                e.code()
            }
        }
    };
}

exit_codes! {
    /// `analyze` and `batch` (the worst bundle's code, or 2 when the batch could not run).
    pub enum AnalysisExit for ["analyze", "batch"] {
        Clean = 0,
            "nothing of severity warning or above was found",
            "没有发现警告及以上级别的问题";
        Findings = 1,
            "a finding of severity warning or above (batch: in some bundle)",
            "发现警告及以上级别的问题（batch：任一压缩包中）";
        Unreadable = 2,
            "something could not be read (the rest was still analysed), or the command could not run: a rule file that does not load, a path with no bundle, an output that cannot be written",
            "有内容无法读取（其余内容仍已分析），或命令无法运行：规则文件有错误、路径下没有压缩包、输出无法写入";
    }
}

exit_codes! {
    /// `find`, like grep.
    pub enum FindExit for ["find"] {
        Found = 0,
            "some bundle holds the identifier",
            "找到包含该标识的压缩包";
        NotFound = 1,
            "no bundle holds the identifier",
            "没有压缩包包含该标识";
        Unreadable = 2,
            "an index, path or bundle could not be read (the rest was searched)",
            "有索引、路径或压缩包无法读取（其余的已搜索）";
    }
}

exit_codes! {
    /// `fingerprint`.
    pub enum FingerprintExit for ["fingerprint"] {
        Identified = 0,
            "fingerprinted (a warning on stderr when it rests on one identifier only)",
            "已计算指纹（只基于一项标识时在标准错误输出提示）";
        NoIdentity = 1,
            "no usable identity: every serial and MAC address is missing or a placeholder, so all such machines get the same hash",
            "没有可用的硬件标识：序列号和 MAC 地址都缺失或是占位值，这样的机器指纹都相同";
        Unreadable = 2,
            "something could not be read (the rest was still fingerprinted)",
            "有内容无法读取（其余内容仍已计算）";
    }
}

exit_codes! {
    /// `diff`.
    pub enum DiffExit for ["diff"] {
        Same = 0,
            "the two bundles have the same hardware identity",
            "两个压缩包的硬件标识相同";
        Differs = 1,
            "parts of the hardware identity differ",
            "硬件标识有不同之处";
        Unreadable = 2,
            "something could not be read",
            "有内容无法读取";
    }
}

exit_codes! {
    /// `explain`: the worst of its arguments.
    pub enum ExplainExit for ["explain"] {
        Known = 0,
            "every code is in the knowledge base (built in, or defined by a --rules file)",
            "每个代码都有说明（内置，或由 --rules 规则文件定义）";
        Unknown = 1,
            "a well-formed code has no entry",
            "有格式正确但没有说明的代码";
        NotACode = 2,
            "an argument is not an error code, or a --rules file does not load",
            "有参数不是错误代码，或 --rules 规则文件有错误";
    }
}

exit_codes! {
    /// The checks of declarative files: rule files, collection specs, cmgelog.toml.
    pub enum CheckExit for ["rules lint", "rules list", "rules test", "spec lint", "config check"] {
        Clean = 0,
            "no problem (rules test: every fixture passed)",
            "没有问题（rules test：每个样例都通过）";
        Problems = 1,
            "problems found, each printed with file:line:column (rules test: a fixture failed or is missing)",
            "发现问题，每处都给出 文件:行:列（rules test：有样例失败或缺失）";
        CannotRun = 2,
            "a file cannot be read, the rules do not load (rules list, rules test), or rules test finds no fixtures folder",
            "有文件无法读取、规则无法加载（rules list、rules test），或 rules test 找不到样例文件夹";
    }
}

exit_codes! {
    /// `collect`, and `cmgelog` without a command (the wizard in a console, the window on
    /// Windows): both collect and may upload.
    pub enum CollectExit for ["collect", ""] {
        Done = 0,
            "the zip was written (and uploaded, when asked to), or the user chose not to upload it",
            "压缩包已生成（要求上传时也已上传），或用户选择不上传";
        CannotStart = 2,
            "nothing was started: cmgelog.toml or --categories is invalid, or the wizard has no terminal",
            "未开始：cmgelog.toml 或 --categories 无效，或向导没有可交互的终端";
        NoZip = 3,
            "no zip could be written (a bad spec, a folder that cannot be written, a full disk)",
            "无法生成压缩包（收集规格有错、文件夹不可写、磁盘已满）";
        Declined = 4,
            "the user declined or cancelled before collecting",
            "用户在收集前拒绝或取消";
        UploadFailed = 6,
            "the zip was written but the upload failed (the zip is kept; the message says how to retry)",
            "压缩包已生成但上传失败（压缩包保留，提示中给出重试的方法）";
        Interrupted = 130,
            "interrupted (Ctrl-C): the collection (the zip holds what was collected and says so) or the upload (the zip is kept)",
            "被中断（Ctrl-C）：收集被中断（压缩包含已收集的内容并注明）或上传被中断（压缩包保留）";
    }
}

exit_codes! {
    /// `upload`.
    pub enum UploadExit for ["upload"] {
        Uploaded = 0,
            "uploaded",
            "已上传";
        BadInput = 2,
            "bad input: the bundle, the CA file or the URL, or no password",
            "输入有误：压缩包、CA 文件或地址有问题，或没有密码";
        Auth = 3,
            "wrong user name or password",
            "用户名或密码错误";
        Refused = 4,
            "refused by the server",
            "服务器拒绝";
        Network = 5,
            "network or server errors that outlasted the retries, a TLS failure, or a server that broke the protocol",
            "重试后仍有网络或服务器错误、TLS 失败，或服务器不符合协议";
        Cancelled = 130,
            "cancelled (Ctrl-C); the upload can be resumed",
            "已取消（Ctrl-C），可以继续上传";
    }
}

exit_codes! {
    /// `watch`.
    pub enum WatchExit for ["watch"] {
        Stopped = 0,
            "stopped (Ctrl-C, SIGTERM) or, with --once, everything analysed and delivered",
            "已停止（Ctrl-C、SIGTERM），或使用 --once 时全部已分析并送达";
        Undelivered = 1,
            "with --once: a bundle was damaged or a hook summary went to the dead-letter folder",
            "使用 --once 时：有压缩包损坏，或有回调摘要被放入 dead-letter 文件夹";
        CannotStart = 2,
            "cannot start: a folder is missing, the results folder or index cannot be written, bad rules",
            "无法启动：文件夹不存在、结果文件夹或索引无法写入，或规则有错误";
    }
}

exit_codes! {
    /// `serve`.
    pub enum ServeExit for ["serve"] {
        Stopped = 0,
            "stopped (Ctrl-C, SIGTERM), or the user was added",
            "已停止（Ctrl-C、SIGTERM），或用户已添加";
        CannotStart = 2,
            "cannot start: a missing index, a bad user file, a non-loopback address without --auth or --behind-proxy, the address in use",
            "无法启动：索引不存在、用户文件有错、非本机地址却没有 --auth 或 --behind-proxy，或地址已被占用";
    }
}

/// Every family, in the order of `docs/exit-codes.md`.
pub const FAMILIES: &[&Table] = &[
    &CollectExit::TABLE,
    &UploadExit::TABLE,
    &AnalysisExit::TABLE,
    &FindExit::TABLE,
    &FingerprintExit::TABLE,
    &DiffExit::TABLE,
    &ExplainExit::TABLE,
    &CheckExit::TABLE,
    &WatchExit::TABLE,
    &ServeExit::TABLE,
];

/// The table of a command (`"collect"`, `"rules lint"`, `""` for the wizard).
pub fn table_for(command: &str) -> Option<&'static Table> {
    FAMILIES.iter().copied().find(|t| t.commands.contains(&command))
}

/// The exit-code section of a command's `--help`.
pub fn help_section(table: &Table, lang: Lang) -> String {
    let mut out = String::from(if lang.is_zh() {
        "退出代码：\n"
    } else {
        "Exit codes:\n"
    });
    for m in table.codes {
        out.push_str(&format!("  {:<4} {}\n", m.code, m.get(lang)));
    }
    out.push_str(if lang.is_zh() {
        "  （选项用法错误时也是 2）\n"
    } else {
        "  (a wrong option or argument also exits with 2)\n"
    });
    out
}

/// `docs/exit-codes.md`: every family as a table, both languages.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Exit codes / 退出代码\n\n\
         <!-- Generated from src/exit_code.rs by `cargo test` (exit_code::tests); do not edit. -->\n\n\
         Each command family has its own list: the same number can mean different things\n\
         (3 is \"no zip\" for `collect`, \"wrong password\" for `upload`). A wrong option or\n\
         argument exits with 2 everywhere. `cmgelog <command> --help` shows the same lists.\n\n\
         每类命令有各自的退出代码，同一数字在不同命令中含义可能不同。选项用法错误时都是 2。\n",
    );
    for t in FAMILIES {
        let names: Vec<String> = t
            .commands
            .iter()
            .map(|c| {
                if c.is_empty() {
                    "`cmgelog` (wizard / 向导)".to_string()
                } else {
                    format!("`cmgelog {c}`")
                }
            })
            .collect();
        out.push_str(&format!("\n## {}\n\n", names.join(", ")));
        out.push_str("| Code | Meaning | 含义 |\n|---:|---|---|\n");
        for m in t.codes {
            out.push_str(&format!("| {} | {} | {} |\n", m.code, m.en, m.zh));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_listed_once_and_in_order() {
        for t in FAMILIES {
            assert!(t.codes.windows(2).all(|w| w[0].code < w[1].code), "{:?}", t.commands);
            assert_eq!(t.codes[0].code, 0, "{:?}", t.commands);
        }
        let mut commands: Vec<&str> = FAMILIES.iter().flat_map(|t| t.commands.iter().copied()).collect();
        let all = commands.len();
        commands.sort_unstable();
        commands.dedup();
        assert_eq!(commands.len(), all, "a command in two families");
    }

    #[test]
    fn variants_and_numbers_agree() {
        assert_eq!(CollectExit::from_code(3), Some(CollectExit::NoZip));
        assert_eq!(UploadExit::from_code(3), Some(UploadExit::Auth));
        assert_eq!(u8::from(CollectExit::Interrupted), 130);
        assert_eq!(
            AnalysisExit::Findings.max(AnalysisExit::Unreadable),
            AnalysisExit::Unreadable
        );
        assert_eq!(table_for("rules test").map(|t| t.codes.len()), Some(3));
    }

    /// docs/exit-codes.md is this module's `markdown()`. When the lists change the test
    /// rewrites the file and fails once, so the change is seen and committed.
    #[test]
    fn docs_exit_codes_md_is_generated_from_the_lists() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/exit-codes.md");
        let want = markdown();
        let have = std::fs::read_to_string(path).unwrap_or_default();
        if have.replace("\r\n", "\n") != want {
            std::fs::write(path, &want).expect("write docs/exit-codes.md");
            panic!("docs/exit-codes.md was out of date with src/exit_code.rs; it was rewritten: commit it");
        }
    }
}
