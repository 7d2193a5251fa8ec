//! SoftwareLicensingProduct and SoftwareLicensingService records → the licensing facts
//! (windows-facts.md §1.7). The edition, channel and status reason are derived here with
//! `facts::licensing` so that they read the same as from `slmgr` output.
//!
//! Values pass through [`mask_product_keys`] before they are stored, and the service's
//! OA3xOriginalProductKey only reaches this module as "present or not" ([`super::Secret`]).

use super::classes::{put, put_id};
use super::{Ctx, Record};
use crate::facts::licensing::{channel_from_description, edition_from_name, hresult, is_unset_date};
use crate::facts::model::LicensingProduct;
use crate::facts::{Field, Machine};
use crate::privacy::mask_product_keys;

pub(super) fn product(r: &Record, cx: &Ctx, m: &mut Machine) {
    let mut p = LicensingProduct::default();
    put(&mut p.name, r.get("Name"), cx);
    put(&mut p.description, r.get("Description"), cx);
    derive(&mut p.edition, r, "Name", cx, edition_from_name);
    derive(&mut p.channel, r, "Description", cx, channel_from_description);
    put_id(&mut p.product_key_channel, r.get("ProductKeyChannel"), cx);
    put(&mut p.license_status, r.get("LicenseStatus"), cx);
    if let Some(prop) = r.get("LicenseStatusReason") {
        if let Some(code) = hresult(&prop.value) {
            p.license_status_reason.push(code, cx.source(prop.line));
        }
    }
    put(&mut p.grace_period_minutes, r.get("GracePeriodRemaining"), cx);
    if let Some(prop) = r.get("PartialProductKey") {
        p.partial_product_key
            .push(mask_product_keys(&prop.value).into_owned(), cx.source(prop.line));
    }
    put(&mut p.kms_machine, r.get("KeyManagementServiceMachine"), cx);
    put_id(
        &mut p.kms_discovered,
        r.get("DiscoveredKeyManagementServiceMachineName"),
        cx,
    );
    put_id(
        &mut p.kms_discovered,
        r.get("DiscoveredKeyManagementServiceMachineIpAddress"),
        cx,
    );
    put_id(&mut p.application_id, r.get("ApplicationID"), cx);
    put_id(&mut p.activation_id, r.get("ID"), cx);
    if let Some(prop) = r.get("EvaluationEndDate").filter(|p| !is_unset_date(&p.value)) {
        p.evaluation_end.push(prop.value.clone(), cx.source(prop.line));
    }
    if p != LicensingProduct::default() {
        m.licensing.push(p);
    }
}

pub(super) fn service(r: &Record, cx: &Ctx, m: &mut Machine) {
    let s = &mut m.licensing_service;
    put_id(&mut s.version, r.get("Version"), cx);
    put(&mut s.kms_machine, r.get("KeyManagementServiceMachine"), cx);
    put_id(&mut s.client_machine_id, r.get("ClientMachineID"), cx);
    put_id(
        &mut s.remaining_windows_rearm_count,
        r.get("RemainingWindowsReArmCount"),
        cx,
    );
    if let Some(secret) = r.secret("OA3xOriginalProductKey") {
        // The source line is masked by `Source::at`, so evidence shows the last group only.
        s.oa3_key_present.push(secret.present, cx.source(secret.line));
    }
}

/// Pushes what `derive` finds in a property's value, with the property's line as source.
fn derive(field: &mut Field, r: &Record, key: &str, cx: &Ctx, derive: fn(&str) -> Option<&str>) {
    if let Some(prop) = r.get(key) {
        if let Some(value) = derive(&prop.value) {
            field.push(value, cx.source(prop.line));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::bundle::{Document, WmiClass};
    use crate::facts::licensing::LicenseStatus;
    use crate::facts::{Field, Machine};

    fn run(path: &str, bytes: &[u8]) -> (Document, Machine) {
        let doc = Document::from_bytes("t", path, bytes);
        let mut m = Machine::default();
        crate::facts::extract_one(&doc, &mut m);
        (doc, m)
    }

    fn values(f: &Field) -> Vec<&str> {
        f.values().map(|o| o.value.as_str()).collect()
    }

    #[test]
    fn glpi_office_kms_client_all_fields() {
        let (_, m) = run(
            "SoftwareLicensingProduct.wmi",
            fixture!("wmi/glpi-agent_office_2016_01-SoftwareLicensingProduct.wmi"),
        );
        let p = &m.licensing[0];
        assert_eq!(values(&p.edition), ["Office16ProPlusVL_KMS_Client"]);
        assert_eq!(values(&p.channel), ["VOLUME_KMSCLIENT"]);
        assert_eq!(values(&p.product_key_channel), ["Volume:GVLK"]);
        assert_eq!(p.status(), Some(LicenseStatus::Licensed));
        assert_eq!(values(&p.license_status_reason), ["0x4004F040"]);
        assert_eq!(
            p.license_status_reason.0[0].source.text,
            "LicenseStatusReason=1074065472"
        );
        assert_eq!(values(&p.kms_discovered), ["10.11.12.13"]);
        assert_eq!(values(&p.application_id), ["0ff1ce15-a989-479d-af46-f275c6370663"]);
        assert_eq!(values(&p.activation_id), ["d450596f-894d-49e0-966a-fd39ed4c4c64"]);
        // EvaluationEndDate=16010101000000.000000-000 means "none".
        assert!(!p.evaluation_end.is_known());
        assert_eq!(
            p.edition.0[0].source.text,
            "Name=Office 16, Office16ProPlusVL_KMS_Client edition"
        );
    }

    #[test]
    fn powershell_json_products() {
        let (doc, m) = run(
            "constructed_ps_SoftwareLicensingProduct.json",
            fixture!("slmgr/constructed_ps_SoftwareLicensingProduct.json"),
        );
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("ps-json").with_class(Some(WmiClass::SoftwareLicensingProduct))
        );
        assert_eq!(m.licensing.len(), 2);
        let g = &m.licensing[0];
        assert_eq!(values(&g.edition), ["EnterpriseG"]);
        assert_eq!(values(&g.channel), ["VOLUME_KMSCLIENT"]);
        assert_eq!(values(&g.license_status), ["5"]);
        assert_eq!(g.status(), Some(LicenseStatus::Notification));
        assert_eq!(values(&g.license_status_reason), ["0xC004F009"]);
        assert_eq!(values(&g.partial_product_key), ["4M68B"]);
        assert_eq!(values(&g.kms_machine), ["kms.example.gov.cn"]);
        assert_eq!(values(&g.kms_discovered), ["10.20.30.40"]);
        assert!(!g.evaluation_end.is_known());
        assert_eq!(g.partial_product_key.0[0].source.line, Some(8));
        let o = &m.licensing[1];
        assert_eq!(values(&o.edition), ["Office16ProPlusVL_KMS_Client"]);
        assert_eq!(values(&o.kms_machine), [""]);
        assert_eq!(values(&o.kms_discovered), ["kms.example.gov.cn", "10.20.30.40"]);
        assert_eq!(o.status(), Some(LicenseStatus::Licensed));
    }

    #[test]
    fn powershell_json_service_without_its_key() {
        let (doc, m) = run(
            "constructed_ps_SoftwareLicensingService.json",
            fixture!("slmgr/constructed_ps_SoftwareLicensingService.json"),
        );
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("ps-json").with_class(Some(WmiClass::SoftwareLicensingService))
        );
        let s = &m.licensing_service;
        assert_eq!(values(&s.version), ["10.0.19041.1"]);
        assert_eq!(values(&s.kms_machine), ["kms.example.gov.cn"]);
        assert_eq!(values(&s.client_machine_id), ["6c1d3b8e-2a57-4f0e-9d41-8b5f0c7a2e19"]);
        assert_eq!(values(&s.remaining_windows_rearm_count), ["1001"]);
        assert_eq!(s.oa3_key_present.any_true(), Some(true));
        let evidence = &s.oa3_key_present.0[0].source;
        assert_eq!(evidence.line, Some(10));
        assert_eq!(
            evidence.text,
            "\"OA3xOriginalProductKey\":  \"*****-*****-*****-*****-3V66T\""
        );
        let json = serde_json::to_string(&m).expect("serialises");
        assert!(!json.contains("VK7JG"), "{json}");
        assert!(m.licensing.is_empty());
    }

    #[test]
    fn wmic_service_list_by_its_keys_and_an_empty_oem_key() {
        let (doc, m) = run(
            "licensing.txt",
            b"ClientMachineID=6c1d3b8e-2a57-4f0e-9d41-8b5f0c7a2e19\r\nKeyManagementServiceMachine=\r\n\
              OA3xOriginalProductKey=\r\nRemainingWindowsReArmCount=1001\r\nVersion=10.0.19041.1\r\n",
        );
        assert_eq!(doc.kind, crate::facts::formats::kind("wmic-list").with_class(None));
        let s = &m.licensing_service;
        assert_eq!(s.oa3_key_present.any_true(), Some(false));
        assert_eq!(values(&s.kms_machine), [""]);
        assert_eq!(values(&s.version), ["10.0.19041.1"]);
    }
}
