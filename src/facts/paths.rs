//! The facts a rule can name (`{ fact = "baseboard.serial", check = "placeholder" }`): one
//! table, next to the model, with a path for every field and flag the extractors fill.
//!
//! A field added to the model gets its line here; a test walks the model and fails while one
//! has none (`paths::tests`). The rule engine resolves paths through this table only, so a
//! rule reaches every extracted fact. What no single path can say (the NICs as a whole, the
//! virtual-machine verdict, licence states, setup logs, the collection) the rule engine offers
//! as composite facts of its own (`rules::condition::FactTarget`).

use super::model::{Disk, Field, Flag, LicensingProduct, Machine, Nic};

/// What a placeholder check compares a value with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    /// A serial number: OEM fillers ("To be filled by O.E.M.", "0123456789") are placeholders.
    Serial,
    /// A vendor or product name: "System manufacturer", "Default string".
    Name,
    /// An SMBIOS UUID: all zeros or all ones.
    Uuid,
    /// Anything else: only an empty value is a placeholder.
    Free,
}

/// Reads one member of a `T`, and writes it (tests fill a model through it).
pub struct Access<T: 'static, V: 'static> {
    pub get: fn(&T) -> &V,
    pub get_mut: fn(&mut T) -> &mut V,
}

impl<T, V> Clone for Access<T, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, V> Copy for Access<T, V> {}

/// Where in the model a fact is: on the machine, or on each disk, NIC or licence.
#[derive(Clone, Copy)]
pub enum Fact {
    Field(Access<Machine, Field>),
    Flag(Access<Machine, Flag>),
    DiskField(Access<Disk, Field>),
    DiskFlag(Access<Disk, Flag>),
    NicField(Access<Nic, Field>),
    NicFlag(Access<Nic, Flag>),
    LicenceField(Access<LicensingProduct, Field>),
}

/// One fact a rule can name.
#[derive(Clone, Copy)]
pub struct FactPath {
    /// As written in rule files: `<part>.<member>`, in kebab case.
    pub path: &'static str,
    pub fact: Fact,
    pub class: ValueClass,
}

impl std::fmt::Debug for FactPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FactPath({})", self.path)
    }
}

impl PartialEq for FactPath {
    fn eq(&self, other: &FactPath) -> bool {
        self.path == other.path
    }
}

impl Eq for FactPath {}

/// A line of the table: `fact!(Variant, Class, "path", member.member)`.
macro_rules! fact {
    ($variant:ident, $class:ident, $path:literal, $($member:ident).+) => {
        FactPath {
            path: $path,
            class: ValueClass::$class,
            fact: Fact::$variant(Access {
                get: |x| &x.$($member).+,
                get_mut: |x| &mut x.$($member).+,
            }),
        }
    };
}

/// Every fact a rule can name, in the model's order.
pub static FACT_PATHS: &[FactPath] = &[
    fact!(Field, Name, "system.vendor", system.vendor),
    fact!(Field, Name, "system.model", system.model),
    fact!(Field, Serial, "system.serial", system.serial),
    fact!(Field, Uuid, "system.uuid", system.uuid),
    fact!(Field, Name, "system.family", system.family),
    fact!(Field, Free, "system.sku", system.sku),
    fact!(Field, Free, "system.version", system.version),
    fact!(Field, Name, "bios.vendor", bios.vendor),
    fact!(Field, Free, "bios.version", bios.version),
    fact!(Field, Free, "bios.release-date", bios.release_date),
    fact!(Field, Name, "baseboard.vendor", baseboard.vendor),
    fact!(Field, Name, "baseboard.product", baseboard.product),
    fact!(Field, Free, "baseboard.version", baseboard.version),
    fact!(Field, Serial, "baseboard.serial", baseboard.serial),
    fact!(Field, Free, "chassis.kind", chassis.kind),
    fact!(Field, Name, "chassis.vendor", chassis.vendor),
    fact!(Field, Serial, "chassis.serial", chassis.serial),
    fact!(DiskField, Name, "disk.model", model),
    fact!(DiskField, Serial, "disk.serial", serial),
    fact!(DiskField, Free, "disk.bus", bus),
    fact!(DiskField, Free, "disk.media-type", media_type),
    fact!(DiskField, Free, "disk.pnp-id", pnp_id),
    fact!(DiskFlag, Free, "disk.removable", removable),
    fact!(DiskFlag, Free, "disk.in-local-container", in_local_container),
    fact!(DiskFlag, Free, "disk.system-disk", system_disk),
    fact!(NicField, Name, "nic.name", name),
    fact!(NicField, Name, "nic.description", description),
    fact!(NicField, Free, "nic.mac", mac),
    fact!(NicField, Free, "nic.pnp-id", pnp_id),
    fact!(NicField, Free, "nic.device-path", device_path),
    fact!(NicFlag, Free, "nic.physical", physical),
    fact!(NicFlag, Free, "nic.enabled", enabled),
    fact!(NicFlag, Free, "nic.removable", removable),
    fact!(NicFlag, Free, "nic.in-local-container", in_local_container),
    fact!(Field, Free, "os.family", os.family),
    fact!(Field, Free, "os.hostname", os.hostname),
    fact!(Field, Free, "os.name", os.name),
    fact!(Field, Free, "os.version", os.version),
    fact!(Field, Free, "os.build", os.build),
    fact!(Field, Free, "os.locale", os.locale),
    fact!(Flag, Free, "hypervisor-present", hypervisor_present),
    fact!(LicenceField, Free, "licensing.name", name),
    fact!(LicenceField, Free, "licensing.description", description),
    fact!(LicenceField, Free, "licensing.edition", edition),
    fact!(LicenceField, Free, "licensing.channel", channel),
    fact!(LicenceField, Free, "licensing.product-key-channel", product_key_channel),
    fact!(LicenceField, Free, "licensing.license-status", license_status),
    fact!(
        LicenceField,
        Free,
        "licensing.license-status-reason",
        license_status_reason
    ),
    fact!(
        LicenceField,
        Free,
        "licensing.grace-period-minutes",
        grace_period_minutes
    ),
    fact!(LicenceField, Free, "licensing.partial-product-key", partial_product_key),
    fact!(LicenceField, Free, "licensing.kms-machine", kms_machine),
    fact!(LicenceField, Free, "licensing.kms-discovered", kms_discovered),
    fact!(LicenceField, Free, "licensing.application-id", application_id),
    fact!(LicenceField, Free, "licensing.activation-id", activation_id),
    fact!(LicenceField, Free, "licensing.evaluation-end", evaluation_end),
    fact!(Field, Free, "licensing-service.version", licensing_service.version),
    fact!(
        Field,
        Free,
        "licensing-service.kms-machine",
        licensing_service.kms_machine
    ),
    fact!(
        Field,
        Free,
        "licensing-service.client-machine-id",
        licensing_service.client_machine_id
    ),
    fact!(
        Field,
        Free,
        "licensing-service.remaining-windows-rearm-count",
        licensing_service.remaining_windows_rearm_count
    ),
    fact!(
        Flag,
        Free,
        "licensing-service.oa3-key-present",
        licensing_service.oa3_key_present
    ),
    fact!(Field, Free, "container", container),
];

/// The fact a path names.
pub fn find(path: &str) -> Option<&'static FactPath> {
    FACT_PATHS.iter().find(|p| p.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The members of the model that hold observations, as paths: every `Field` and `Flag`
    /// (they serialise as arrays) of a machine with one disk, NIC and licence.
    fn model_paths() -> Vec<String> {
        let machine = Machine {
            disks: vec![Disk::default()],
            nics: vec![Nic::default()],
            licensing: vec![LicensingProduct::default()],
            ..Machine::default()
        };
        // Reached through the rule engine's composite facts (virtualization, collection,
        // upgrade), or not a fact (the platform, a disk's number).
        const COMPOSITE: &[&str] = &["vm_hints", "collection", "upgrade", "platform"];
        let json = serde_json::to_value(&machine).unwrap();
        let mut out = Vec::new();
        for (key, value) in json.as_object().unwrap() {
            if COMPOSITE.contains(&key.as_str()) {
                continue;
            }
            let part = match key.as_str() {
                "disks" => "disk",
                "nics" => "nic",
                other => other,
            };
            let members = match value {
                Value::Array(items) if items.first().is_some_and(Value::is_object) => items[0].as_object(),
                Value::Object(o) => Some(o),
                _ => None,
            };
            match members {
                Some(members) => {
                    for (m, v) in members {
                        if v.is_array() {
                            out.push(format!("{part}.{m}").replace('_', "-"));
                        }
                    }
                }
                None => out.push(part.replace('_', "-")),
            }
        }
        out
    }

    #[test]
    fn every_field_of_the_model_has_a_path() {
        let mut model = model_paths();
        model.sort();
        let mut table: Vec<String> = FACT_PATHS.iter().map(|p| p.path.to_string()).collect();
        table.sort();
        let missing: Vec<&String> = model.iter().filter(|p| !table.contains(p)).collect();
        assert!(missing.is_empty(), "add these to FACT_PATHS: {missing:?}");
        assert_eq!(
            table, model,
            "FACT_PATHS names a member the model does not have, or one twice"
        );
    }
}
