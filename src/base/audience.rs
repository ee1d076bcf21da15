//! Who a build is for: the whole organisation, or one partner who may see
//! nothing of any other. A build option that every later stage reads
//! (partner figures, pages, the preview, checks), so it lives on the ground
//! floor.

/// Who a build is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Audience {
    /// Everything: every scorecard, the partner list, the executive summary.
    #[default]
    Internal,
    /// What one partner may receive: all modules and its own scorecard, and
    /// no trace of any other partner: every figure is worked out from its
    /// own file alone.
    Partner(String),
}

impl Audience {
    /// Parses `internal` or `partner:<id>`.
    pub fn parse(text: &str) -> Option<Audience> {
        match text.split_once(':') {
            None if text == "internal" => Some(Audience::Internal),
            Some(("partner", id)) if !id.is_empty() => Some(Audience::Partner(id.to_string())),
            _ => None,
        }
    }
}
