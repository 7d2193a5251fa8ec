//! Windows event logs as formats: `.evtx` files, `wevtutil` XML exports and `Export-Csv`
//! exports. Their records are read once per analysis by the event reader (`events`), which
//! feeds both the event facts (`event_signals`) and the rules' event conditions; so their
//! extractor adds nothing here.

use super::formats::{no_facts, Format, Recognise, Sample};
use super::platform::Platform;
use crate::bundle::{Kind, Reading};
use crate::events;

/// A Windows event log file, by its signature.
pub(crate) const EVTX: Format = event_format(events::EVTX, Recognise::Magic(events::EVTX_MAGIC));

/// XML from `wevtutil qe /f:xml` or `/f:RenderedXml`, with or without the `<Events>` wrapper.
pub(crate) const EVENT_XML: Format = event_format(
    events::XML_EXPORT,
    Recognise::text(|s: &Sample| events::is_xml_export(&s.text.text)),
);

/// CSV from `Get-WinEvent | Export-Csv`.
pub(crate) const EVENT_CSV: Format = event_format(
    events::CSV_EXPORT,
    Recognise::text(|s: &Sample| events::is_csv_export(&s.text.text)),
);

const fn event_format(name: &'static str, recognise: Recognise) -> Format {
    Format {
        kind: Kind::new(name, Reading::Events),
        recognise,
        extract: no_facts,
        platform: Some(Platform::Windows),
        codes: true,
    }
}
