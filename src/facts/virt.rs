//! Placeholder, replaced by the real VM signal derivation.
use super::Machine;

pub fn add_derived_signals(_machine: &mut Machine) {}
