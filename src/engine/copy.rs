//! Tables a session reads from a copy instead of Jira, and how to say how old a copy is.
//! The copy's age is worked out each time it is shown, so a long session never shows the age
//! it had when it started.

/// A table a session reads from a copy (`--mirror`) instead of Jira: which, since when,
/// from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    /// When the refresh that wrote it started (RFC 3339).
    pub refreshed_at: String,
    /// The mirror's directory, as given.
    pub dir: String,
}

impl TableCopy {
    /// `Issues as of 2026-12-07T03:00:00Z (5 minutes old), from ./mirror`, the age as of now.
    pub fn describe(&self) -> String {
        let age = chrono::DateTime::parse_from_rfc3339(&self.refreshed_at)
            .ok()
            .map(|t| chrono::Utc::now().signed_duration_since(t))
            .map(|d| format!(" ({} old)", age(d)))
            .unwrap_or_default();
        format!(
            "{} as of {}{age}, from {}",
            self.table, self.refreshed_at, self.dir
        )
    }
}

/// A duration as people say it, to the largest whole unit.
fn age(d: chrono::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match (d.num_days(), d.num_hours(), d.num_minutes()) {
        (days, _, _) if days > 0 => plural(days, "day"),
        (_, hours, _) if hours > 0 => plural(hours, "hour"),
        (_, _, minutes) if minutes > 0 => plural(minutes, "minute"),
        _ => "less than a minute".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_people_say_them() {
        assert_eq!(age(chrono::Duration::seconds(20)), "less than a minute");
        assert_eq!(age(chrono::Duration::minutes(1)), "1 minute");
        assert_eq!(age(chrono::Duration::minutes(150)), "2 hours");
        assert_eq!(age(chrono::Duration::days(3)), "3 days");
    }

    #[test]
    fn the_age_is_that_of_now() {
        let hour_ago = chrono::Utc::now() - chrono::Duration::minutes(61);
        let copy = TableCopy {
            table: "Issues".into(),
            refreshed_at: hour_ago.to_rfc3339(),
            dir: "m".into(),
        };
        assert!(
            copy.describe().contains("(1 hour old), from m"),
            "{}",
            copy.describe()
        );
    }
}
