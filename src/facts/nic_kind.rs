//! Placeholder, replaced by the real classifier.
