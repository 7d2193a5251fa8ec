//! cmgelog: collects and analyses CMGE activation and upgrade logs.
//!
//! The pipeline, one module per stage: [`bundle`] (inputs → decoded, recognised documents) →
//! [`facts`] (documents → the machine model) → [`rules`] (documents + machine → findings) →
//! [`report`] (findings → text, JSON, Markdown). The CLI in `main.rs` glues them.

pub mod bundle;
pub mod facts;
