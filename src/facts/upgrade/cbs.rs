//! `CBS.log` (component-based servicing: updates, features, `sfc`) and `dism.log`. Same line
//! format as the setup logs; codes come as `[HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]`,
//! `(hr:0x800f080c)` or DISM's bare `HRESULT=800F0922`. The decisive error uses the same
//! search as setup logs; servicing logs rarely carry setup's failure markers, so it is usually
//! the last error with a code ([`DecisiveBasis::LastError`](crate::facts::model::DecisiveBasis)).

use super::panther;
use crate::bundle::Document;
use crate::facts::model::{UpgradeLog, UpgradeLogKind};

pub fn summarise(doc: &Document) -> UpgradeLog {
    let mut log = panther::summarise(doc, UpgradeLogKind::Cbs);
    let name = super::file_name(doc);
    let mostly_dism = log.components.first().is_some_and(|c| c.name == "DISM");
    if name.contains("dism") || (!name.contains("cbs") && mostly_dism) {
        log.kind = UpgradeLogKind::Dism;
    }
    log
}
