//! What both parsers share: the position in the file being parsed, the warnings collected so
//! far, and the value checks that turn into located errors (spec 3: line-based files, keys
//! before the first `:`, `%s` values that stop at whitespace).

use std::path::Path;

use crate::error::{ConfigError, Warning};

/// The file, the current 1-based line and the warnings of one parse.
pub(crate) struct Cursor<'a> {
    pub file: &'a Path,
    pub line: usize,
    pub warnings: Vec<Warning>,
}

impl<'a> Cursor<'a> {
    pub fn new(file: &'a Path) -> Self {
        Cursor {
            file,
            line: 0,
            warnings: Vec::new(),
        }
    }

    /// Record a warning about `key` on the current line.
    pub fn warn(&mut self, key: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: self.file.to_path_buf(),
            line: self.line,
            key: key.to_string(),
            message: message.into(),
        });
    }

    pub fn syntax(&self, key: &str, why: impl Into<String>) -> ConfigError {
        ConfigError::Syntax {
            file: self.file.to_path_buf(),
            line: self.line,
            key: key.to_string(),
            why: why.into(),
        }
    }

    pub fn bad_value(&self, key: &str, value: &str, why: impl Into<String>) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.to_path_buf(),
            line: self.line,
            key: key.to_string(),
            value: value.to_string(),
            why: why.into(),
        }
    }

    pub fn out_of_range(&self, key: &str, value: &str, range: &'static str) -> ConfigError {
        ConfigError::OutOfRange {
            file: self.file.to_path_buf(),
            line: self.line,
            key: key.to_string(),
            value: value.to_string(),
            range,
        }
    }

    /// The first whitespace-separated word of `value` (what mhvtl's `%s` takes); further
    /// words draw a warning. No word at all is an error.
    pub fn word<'v>(&mut self, key: &str, value: &'v str) -> Result<&'v str, ConfigError> {
        let mut words = value.split_whitespace();
        let Some(first) = words.next() else {
            return Err(self.syntax(key, "no value"));
        };
        if words.next().is_some() {
            let rest = value.trim_start()[first.len()..].trim();
            self.warn(key, format!("text after {first:?} is ignored: {rest:?}"));
        }
        Ok(first)
    }

    /// A decimal number within `lo..=hi` (leading zeros allowed: `TARGET: 08` is 8).
    pub fn number(
        &self,
        key: &str,
        value: &str,
        lo: u32,
        hi: u32,
        range: &'static str,
    ) -> Result<u32, ConfigError> {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::NotANumber {
                file: self.file.to_path_buf(),
                line: self.line,
                key: key.to_string(),
                value: value.to_string(),
            });
        }
        match value.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(self.out_of_range(key, value, range)),
        }
    }

    /// A text field of at most `max` characters of printable ASCII (space allowed when
    /// `spaces`), as INQUIRY and VPD fields require (SPC-5 4.3.1).
    pub fn ascii_field(
        &self,
        key: &str,
        value: &str,
        max: usize,
        spaces: bool,
    ) -> Result<(), ConfigError> {
        let len = value.chars().count();
        if len > max {
            return Err(ConfigError::TooLong {
                file: self.file.to_path_buf(),
                line: self.line,
                key: key.to_string(),
                value: value.to_string(),
                len,
                max,
            });
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_graphic() || (spaces && b == b' '))
        {
            return Err(self.bad_value(
                key,
                value,
                "has characters other than printable ASCII (SPC-5 4.3.1)",
            ));
        }
        Ok(())
    }
}

/// Split a stanza line into its key (before the first `:`, trimmed) and the value after it.
pub(crate) fn key_value(trimmed: &str) -> Option<(&str, &str)> {
    let (k, v) = trimmed.split_once(':')?;
    Some((k.trim(), v))
}

/// Shorten text quoted in a warning about an unrecognised line.
pub(crate) fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}
