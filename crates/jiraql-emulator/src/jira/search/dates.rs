//! Date literals, relative periods, durations and date functions (`startOfWeek()`, ...), in the
//! searching user's zone.

use super::*;

/// A JQL date literal: absolute formats in the user's zone, or a relative period from now.
pub(super) fn parse_date_literal(s: &str, ctx: &SearchContext) -> Option<(i64, bool)> {
    let t = s.trim();
    for fmt in ["%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
            return local_ms(naive, ctx.zone).map(|ms| (ms, false));
        }
    }
    for fmt in ["%Y/%m/%d", "%Y-%m-%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(t, fmt) {
            return local_ms(date.and_time(NaiveTime::MIN), ctx.zone).map(|ms| (ms, true));
        }
    }
    let offset = parse_period(t)?;
    Some((ctx.now.timestamp_millis() + offset, false))
}

/// A local wall-clock time in `zone` as epoch ms (the earlier instant when ambiguous, the
/// instant after the gap when it does not exist).
pub(super) fn local_ms(naive: NaiveDateTime, zone: Tz) -> Option<i64> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.timestamp_millis()),
        LocalResult::None => zone
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp_millis()),
    }
}

pub(super) fn next_midnight(ms: i64, zone: Tz) -> i64 {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zone).date_naive())
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .and_then(|d| local_ms(d.and_time(NaiveTime::MIN), zone))
        .unwrap_or(ms + 86_400_000)
}

/// `-5d`, `4w 2d`, `-2h`, `30` (minutes): a signed offset in ms. Weeks are 7 days here (a
/// calendar period), unlike time tracking's 5-day weeks.
pub(super) fn parse_period(s: &str) -> Option<i64> {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut total = 0i64;
    let mut any = false;
    for part in rest.split_whitespace() {
        let (num, unit) = match part.find(|c: char| !c.is_ascii_digit()) {
            Some(p) => part.split_at(p),
            None => (part, "m"),
        };
        let n: i64 = num.parse().ok()?;
        let unit_ms = match unit {
            "w" => 7 * 86_400_000,
            "d" => 86_400_000,
            "h" => 3_600_000,
            "m" => 60_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit_ms)?)?;
        any = true;
    }
    any.then_some(sign * total)
}

/// A time-tracking duration (`2h 30m`, `1d`, `90` minutes) in seconds, with Jira's default
/// 8-hour days and 5-day weeks.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut any = false;
    for part in s.split_whitespace() {
        let (num, unit) = match part.find(|c: char| !c.is_ascii_digit()) {
            Some(p) => part.split_at(p),
            None => (part, "m"),
        };
        let n: i64 = num.parse().ok()?;
        let secs = match unit {
            "w" => 5 * 8 * 3600,
            "d" => 8 * 3600,
            "h" => 3600,
            "m" => 60,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(secs)?)?;
        any = true;
    }
    any.then_some(total)
}

/// `now()`, `startOfDay(-1)`, `endOfMonth("+2M")`…: the instant in ms, computed in the user's
/// zone. Weeks start on Sunday (Jira's default locale).
pub(super) fn date_function(name: &str, arg: Option<&str>, ctx: &SearchContext) -> Option<i64> {
    let now = ctx.now.with_timezone(&ctx.zone).naive_local();
    if name == "now" {
        return Some(ctx.now.timestamp_millis());
    }
    let (unit, start) = match name {
        "startofday" | "endofday" => ('d', now.date()),
        "startofweek" | "endofweek" => (
            'w',
            now.date()
                .checked_sub_days(Days::new(u64::from(now.weekday().num_days_from_sunday())))?,
        ),
        "startofmonth" | "endofmonth" => ('M', now.date().with_day(1)?),
        _ => ('y', now.date().with_day(1)?.with_month(1)?),
    };
    let start = start.and_time(NaiveTime::MIN);
    let shifted = match arg {
        Some(a) => shift(start, a, unit)?,
        None => start,
    };
    let is_end = name.starts_with("end");
    let local = if is_end {
        // The last millisecond of the period.
        shift(shifted, "1", unit)? - Duration::milliseconds(1)
    } else {
        shifted
    };
    local_ms(local, ctx.zone)
}

/// Add an increment like `-1`, `+2w`, `3M` (default unit given) to a local time.
fn shift(t: NaiveDateTime, inc: &str, default_unit: char) -> Option<NaiveDateTime> {
    let inc = inc.trim();
    let (body, unit) = match inc.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => (&inc[..inc.len() - 1], c),
        _ => (inc, default_unit),
    };
    let n: i64 = body.strip_prefix('+').unwrap_or(body).parse().ok()?;
    let months = |m: i64| -> Option<NaiveDateTime> {
        let abs = Months::new(u32::try_from(m.unsigned_abs()).ok()?);
        if m >= 0 {
            t.checked_add_months(abs)
        } else {
            t.checked_sub_months(abs)
        }
    };
    match unit {
        'y' => months(n.checked_mul(12)?),
        'M' => months(n),
        'w' => t.checked_add_signed(Duration::try_weeks(n)?),
        'd' => t.checked_add_signed(Duration::try_days(n)?),
        'h' => t.checked_add_signed(Duration::try_hours(n)?),
        'm' => t.checked_add_signed(Duration::try_minutes(n)?),
        _ => None,
    }
}
