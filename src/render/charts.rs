//! Charts drawn at build time as inline SVG: stacked level bars, bar charts
//! (skills, hours saved) and trend lines against a baseline (with a compact
//! sparkline form). Every chart is a `<figure>` holding an SVG with
//! `role="img"`, a `<title>` and `<desc>`, a `viewBox` and no fixed width,
//! followed by a table of the numbers behind it, so it reads without sight,
//! prints, and needs no script. Colours come from the Okabe–Ito palette,
//! which stays distinguishable for colour-blind readers and in greyscale.

use std::fmt::Write;

use serde::Deserialize;

use crate::base::format::{format_currency, format_number};
use crate::render::markdown::escape;

/// Colours for series, distinguishable with colour-blindness and in print.
const PALETTE: [&str; 6] = [
    "#D55E00", "#56B4E9", "#0072B2", "#009E73", "#E69F00", "#CC79A7",
];

/// The levels' colours, lowest first: vermillion, orange, bluish green from
/// the same palette, so the charts use the red–amber–green order of the
/// level badges; a fourth level and more take the palette's blues and pink.
const LEVEL_COLOURS: [&str; 6] = [
    "#D55E00", "#E69F00", "#009E73", "#56B4E9", "#0072B2", "#CC79A7",
];

/// Height of one line of chart text, in pixels: labels sit on their own
/// line above each bar, so a chart keeps its 12px type at any width.
const LINE: f64 = 16.0;

/// One labelled row of a stacked bar chart.
#[derive(Debug, Clone, Deserialize)]
pub struct StackedRow {
    /// Row label (a quarter or a partner).
    pub label: String,
    /// One count per series, in series order.
    pub values: Vec<f64>,
}

/// Horizontal 100% bars, one per row, stacked by series (such as the level
/// mix per quarter). Positions are percentages of the chart's width and text
/// is in pixels, so the bars fill any column and the text stays readable.
pub fn stacked_bars(title: &str, series: &[String], rows: &[StackedRow]) -> String {
    let row_height = LINE + 26.0;
    let legend_height = 26.0;
    let height = legend_height + rows.len() as f64 * row_height;
    let mut svg = svg_open(title, &describe_stacked(series, rows), height);
    let step = 100.0 / series.len().max(1) as f64;
    for (i, name) in series.iter().enumerate() {
        let x = i as f64 * step;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}%" y="4" width="12" height="12" fill="{}"/><text x="{x:.1}%" dx="16" y="15" class="chart-label">{}</text>"#,
            LEVEL_COLOURS[i % LEVEL_COLOURS.len()],
            escape(name)
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let y = legend_height + r as f64 * row_height;
        let total: f64 = row.values.iter().sum();
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text>"#,
            y + 12.0,
            escape(&row.label)
        );
        let bar_y = y + LINE;
        let mut x = 0.0;
        for (i, value) in row.values.iter().enumerate() {
            let width = if total > 0.0 {
                100.0 * value / total
            } else {
                0.0
            };
            if width > 0.0 {
                let _ = write!(
                    svg,
                    r##"<rect x="{x:.2}%" y="{bar_y}" width="{width:.2}%" height="20" fill="{}" stroke="#fff" stroke-width="1"/>"##,
                    LEVEL_COLOURS[i % LEVEL_COLOURS.len()]
                );
                // A count needs about 24px: 7% of the narrowest column.
                if width >= 7.0 {
                    let _ = write!(
                        svg,
                        r##"<text x="{:.2}%" y="{}" fill="#000" class="chart-value" text-anchor="middle">{}</text>"##,
                        x + width / 2.0,
                        bar_y + 14.0,
                        format_number(*value, 0)
                    );
                }
            }
            x += width;
        }
    }
    svg.push_str("</svg>");
    let mut head = vec![String::new()];
    head.extend(series.iter().cloned());
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.label.clone()];
            cells.extend(row.values.iter().map(|v| format_number(*v, 0)));
            cells
        })
        .collect();
    figure(title, "people per level", &svg, None, &head, &body)
}

fn describe_stacked(series: &[String], rows: &[StackedRow]) -> String {
    rows.iter()
        .map(|row| {
            let parts: Vec<String> = series
                .iter()
                .zip(&row.values)
                .map(|(s, v)| format!("{} {}", format_number(*v, 0), s))
                .collect();
            format!("{}: {}", row.label, parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One bar of a bar chart.
#[derive(Debug, Clone, Deserialize)]
pub struct Bar {
    /// What the bar measures.
    pub label: String,
    /// Its value.
    pub value: f64,
    /// An optional second value drawn as a marker (such as the baseline).
    #[serde(default)]
    pub compare: Option<f64>,
}

/// Horizontal bars on a common scale from zero up to `max` (or the largest
/// value), each with its label and value on a line above it, and an
/// optional marker per bar for a comparison value.
pub fn bars(
    title: &str,
    unit: &str,
    bars: &[Bar],
    max: Option<f64>,
    compare_label: Option<&str>,
) -> String {
    let row_height = LINE + 24.0;
    let decimals = decimals_for(
        bars.iter()
            .flat_map(|b| [Some(b.value), b.compare])
            .flatten(),
    );
    let largest = bars
        .iter()
        .flat_map(|b| [b.value, b.compare.unwrap_or(0.0)])
        .fold(0.0, f64::max);
    let scale = max.unwrap_or(largest).max(f64::EPSILON);
    let height = bars.len() as f64 * row_height;
    let description = bars
        .iter()
        .map(|b| {
            format!(
                "{}: {}{}",
                b.label,
                format_number(b.value, decimals),
                unit_suffix(unit)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = svg_open(title, &description, height);
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * row_height;
        let width = 100.0 * (bar.value / scale).clamp(0.0, 1.0);
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text><text x="100%" y="{}" class="chart-value" text-anchor="end">{}{}</text><rect x="0" y="{}" width="100%" height="16" class="chart-track"/><rect x="0" y="{}" width="{width:.2}%" height="16" fill="{}"/>"#,
            y + 12.0,
            escape(&bar.label),
            y + 12.0,
            format_number(bar.value, decimals),
            escape(&unit_suffix(short_unit(unit))),
            y + LINE + 2.0,
            y + LINE + 2.0,
            PALETTE[2],
        );
        if let Some(compare) = bar.compare {
            let x = 100.0 * (compare / scale).clamp(0.0, 1.0);
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}%" y="{}" width="3" height="22" fill="{}" transform="translate(-1.5 0)"/>"#,
                y + LINE - 1.0,
                PALETTE[0]
            );
        }
    }
    svg.push_str("</svg>");
    let mut head = vec![String::new(), unit.to_string()];
    if let Some(label) = compare_label {
        head.push(label.to_string());
    }
    let body: Vec<Vec<String>> = bars
        .iter()
        .map(|b| {
            let mut row = vec![b.label.clone(), format_number(b.value, decimals)];
            if compare_label.is_some() {
                row.push(
                    b.compare
                        .map_or("–".to_string(), |c| format_number(c, decimals)),
                );
            }
            row
        })
        .collect();
    let note = compare_label.map(|label| format!("Scale from 0; the orange mark is {label}."));
    figure(title, unit, &svg, note.as_deref(), &head, &body)
}

/// Bars from a zero line, to the right for gains and to the left for losses,
/// each labelled with its signed amount in `currency`: a distribution where
/// some values are below zero (such as each partner's benefits less its
/// cost). A loss is marked by its side of the line, its colour and its
/// minus sign, so it reads without colour.
pub fn net_bars(title: &str, currency: &str, bars: &[Bar]) -> String {
    let row_height = LINE + 22.0;
    let money = |v: f64| format_currency(v, currency, 0);
    let low = bars.iter().map(|b| b.value).fold(0.0, f64::min);
    let high = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let span = (high - low).max(f64::EPSILON);
    let zero = 100.0 * -low / span;
    let height = bars.len() as f64 * row_height + LINE;
    let description = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, money(b.value)))
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = svg_open(title, &description, height);
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * row_height;
        let width = 100.0 * bar.value.abs() / span;
        let (x, fill, class) = if bar.value < 0.0 {
            (zero - width, PALETTE[0], "chart-bar-loss")
        } else {
            (zero, PALETTE[3], "chart-bar-gain")
        };
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text><text x="100%" y="{}" class="chart-value {class}" text-anchor="end">{}</text><rect x="{x:.2}%" y="{}" width="{width:.2}%" height="14" fill="{fill}"/>"#,
            y + 12.0,
            escape(&bar.label),
            y + 12.0,
            money(bar.value),
            y + LINE + 2.0,
        );
    }
    let _ = write!(
        svg,
        r#"<line x1="{zero:.2}%" x2="{zero:.2}%" y1="{}" y2="{}" class="chart-zero" stroke-width="2"/><text x="{zero:.2}%" y="{}" class="chart-label" text-anchor="{}">0</text>"#,
        LINE - 2.0,
        height - LINE + 2.0,
        height - 2.0,
        if zero < 5.0 {
            "start"
        } else if zero > 95.0 {
            "end"
        } else {
            "middle"
        }
    );
    svg.push_str("</svg>");
    let head = vec![String::new(), currency.to_string()];
    let body: Vec<Vec<String>> = bars
        .iter()
        .map(|b| vec![b.label.clone(), money(b.value)])
        .collect();
    let below = bars.iter().filter(|b| b.value < 0.0).count();
    let note = format!(
        "{below} of {} below zero: left of the line, in orange-red, with a minus sign.",
        bars.len()
    );
    figure(title, currency, &svg, Some(&note), &head, &body)
}

/// One point of a trend line.
#[derive(Debug, Clone, Deserialize)]
pub struct TrendPoint {
    /// X label (a quarter).
    pub label: String,
    /// The value.
    pub value: f64,
}

/// A line over quarters with a dashed baseline; `compact` draws a small
/// sparkline without axes (the table still follows).
pub fn trend(
    title: &str,
    unit: &str,
    points: &[TrendPoint],
    baseline: Option<f64>,
    compact: bool,
) -> String {
    let (width, height, left, bottom) = if compact {
        (160.0, 40.0, 4.0, 4.0)
    } else {
        (520.0, 180.0, 70.0, 26.0)
    };
    let top = 8.0;
    let decimals = decimals_for(points.iter().map(|p| p.value).chain(baseline));
    let values: Vec<f64> = points.iter().map(|p| p.value).chain(baseline).collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if (high - low).abs() < f64::EPSILON {
        1.0
    } else {
        high - low
    };
    let plot_width = width - left - 8.0;
    let plot_height = height - top - bottom;
    let x = |i: usize| {
        left + if points.len() > 1 {
            plot_width * i as f64 / (points.len() - 1) as f64
        } else {
            plot_width / 2.0
        }
    };
    let y = |v: f64| top + plot_height * (1.0 - (v - low) / span);
    let description = points
        .iter()
        .map(|p| {
            format!(
                "{} {}{}",
                p.label,
                format_number(p.value, decimals),
                unit_suffix(unit)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let description = match baseline {
        Some(b) => format!(
            "{description}; baseline {}{}",
            format_number(b, decimals),
            unit_suffix(unit)
        ),
        None => description,
    };
    let mut svg = svg_box(title, &description, width, height);
    if !compact {
        for value in [low, high] {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{:.1}" class="chart-label" text-anchor="end">{}</text>"#,
                left - 6.0,
                y(value) + 4.0,
                format_number(value, 0)
            );
        }
        for (i, point) in points.iter().enumerate() {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{}" class="chart-label" text-anchor="middle">{}</text>"#,
                x(i),
                height - 6.0,
                escape(&point.label)
            );
        }
    }
    if let Some(b) = baseline {
        let _ = write!(
            svg,
            r#"<line x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1.5" stroke-dasharray="5 4"/>"#,
            width - 8.0,
            y(b),
            y(b),
            PALETTE[0]
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.value)))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>"#,
        path.join(" "),
        PALETTE[2]
    );
    for (i, point) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/>"#,
            x(i),
            y(point.value),
            PALETTE[2]
        );
    }
    svg.push_str("</svg>");
    let head = vec![String::new(), unit.to_string()];
    let mut body: Vec<Vec<String>> = points
        .iter()
        .map(|p| vec![p.label.clone(), format_number(p.value, decimals)])
        .collect();
    if let Some(b) = baseline {
        body.push(vec!["Baseline".to_string(), format_number(b, decimals)]);
    }
    // A sparkline has no axis: say what its height spans, and that it does
    // not start at zero, so a small change is not read as a steep one.
    let note = if compact && points.len() > 1 {
        Some(format!(
            "Scale {}–{}{}, not from zero{}.",
            format_number(low, decimals),
            format_number(high, decimals),
            unit_suffix(unit),
            if baseline.is_some() {
                "; dashed line: baseline"
            } else {
                ""
            }
        ))
    } else {
        None
    };
    figure(title, unit, &svg, note.as_deref(), &head, &body)
}

/// Whole numbers (money, counts) show no decimals; anything else shows one.
fn decimals_for(values: impl Iterator<Item = f64>) -> usize {
    let mut values = values;
    if values.all(|v| v.fract() == 0.0) {
        0
    } else {
        1
    }
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// An SVG as wide as its column, `height` pixels high: its contents are
/// placed in percentages across and pixels down.
fn svg_open(title: &str, description: &str, height: f64) -> String {
    format!(
        r#"<svg class="chart-svg chart-fluid" width="100%" height="{height}" role="img"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(description)
    )
}

/// An SVG drawn at a fixed size in pixels, so its text keeps its size.
fn svg_box(title: &str, description: &str, width: f64, height: f64) -> String {
    format!(
        r#"<svg class="chart-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(description)
    )
}

/// The unit as a chart's value labels show it: `hours` as `h`.
fn short_unit(unit: &str) -> &str {
    match unit {
        "hours" => "h",
        _ => "",
    }
}

/// The chart under its title and unit, an optional note on how to read it,
/// and its numbers: the table is the chart's text equivalent, folded away on
/// screen (the theme unfolds it for print).
fn figure(
    title: &str,
    unit: &str,
    svg: &str,
    note: Option<&str>,
    head: &[String],
    body: &[Vec<String>],
) -> String {
    let mut html = format!(
        "<figure class=\"chart\"><figcaption class=\"chart-title\">{}",
        escape(title)
    );
    if !unit.is_empty() {
        let _ = write!(
            html,
            " <span class=\"chart-unit\">({})</span>",
            escape(unit)
        );
    }
    let _ = write!(html, "</figcaption><div class=\"chart-frame\">{svg}</div>");
    if let Some(note) = note {
        let _ = write!(html, "<p class=\"chart-note\">{}</p>", escape(note));
    }
    let _ = write!(
        html,
        "<details class=\"chart-numbers\"><summary>The numbers<span class=\"visually-hidden\"> behind the chart {}</span></summary><table class=\"chart-data\"><caption>{}</caption><thead><tr>",
        escape(title),
        escape(title)
    );
    for cell in head {
        if cell.is_empty() {
            html.push_str("<td></td>");
        } else {
            let _ = write!(html, "<th scope=\"col\">{}</th>", escape(cell));
        }
    }
    html.push_str("</tr></thead><tbody>");
    for row in body {
        html.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(html, "<th scope=\"row\">{}</th>", escape(cell));
            } else {
                let _ = write!(html, "<td>{}</td>", escape(cell));
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></details></figure>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_are_accessible_and_carry_their_numbers() {
        let html = stacked_bars(
            "Level mix",
            &["Nay-sayer".to_string(), "Practitioner".to_string()],
            &[StackedRow {
                label: "2025-Q2".to_string(),
                values: vec![3.0, 1.0],
            }],
        );
        assert!(html.contains(r#"role="img""#));
        assert!(html.contains("<title>Level mix</title>"));
        assert!(html.contains("<desc>2025-Q2: 3 Nay-sayer, 1 Practitioner</desc>"));
        // Drawn across its column with text in pixels, under a visible title.
        assert!(html.contains(r#"width="100%""#) && !html.contains("viewBox="));
        assert!(
            html.starts_with("<figure class=\"chart\"><figcaption class=\"chart-title\">Level mix")
        );
        assert!(html.contains(r##"fill="#D55E00""##) && html.contains(r##"fill="#E69F00""##));
        assert!(
            html.contains("<th scope=\"row\">2025-Q2</th><td>3</td><td>1</td>"),
            "{html}"
        );
    }

    #[test]
    fn trend_marks_the_baseline_and_lists_points() {
        let points = vec![
            TrendPoint {
                label: "Q1".to_string(),
                value: 10.0,
            },
            TrendPoint {
                label: "Q2".to_string(),
                value: 12.5,
            },
        ];
        let html = trend("Revenue", "USD", &points, Some(10.0), false);
        assert!(html.contains("stroke-dasharray"));
        assert!(
            html.contains("<th scope=\"row\">Baseline</th><td>10.0</td>"),
            "{html}"
        );
        assert!(html.contains("Q2 12.5 USD"));
        let spark = trend("Revenue", "USD", &points, Some(10.0), true);
        assert!(
            spark.contains("<p class=\"chart-note\">Scale 10.0–12.5 USD, not from zero; dashed line: baseline.</p>"),
            "{spark}"
        );
        assert!(spark.contains(r#"width="160" height="40""#), "{spark}");
    }

    #[test]
    fn net_bars_start_at_a_zero_line_and_mark_losses() {
        let bar = |label: &str, value: f64| Bar {
            label: label.to_string(),
            value,
            compare: None,
        };
        let html = net_bars("Net", "USD", &[bar("Up", 300.0), bar("Down", -100.0)]);
        // Zero is a quarter of the way across: −100 to 300.
        assert!(html.contains(r#"<line x1="25.00%" x2="25.00%""#), "{html}");
        assert!(
            html.contains(
                r##"<rect x="25.00%" y="18" width="75.00%" height="14" fill="#009E73"/>"##
            ),
            "{html}"
        );
        assert!(
            html.contains(
                r##"<rect x="0.00%" y="56" width="25.00%" height="14" fill="#D55E00"/>"##
            ),
            "{html}"
        );
        assert!(
            html.contains("chart-bar-loss\" text-anchor=\"end\">−$100</text>"),
            "{html}"
        );
        assert!(html.contains("1 of 2 below zero"), "{html}");
        assert!(
            html.contains("<th scope=\"row\">Down</th><td>−$100</td>"),
            "{html}"
        );
    }

    #[test]
    fn bars_scale_to_the_given_maximum() {
        let html = bars(
            "Skills",
            "score",
            &[Bar {
                label: "Prompting".to_string(),
                value: 2.0,
                compare: Some(1.0),
            }],
            Some(4.0),
            Some("baseline"),
        );
        assert!(html.contains(r#"width="50.00%""#), "{html}");
        assert!(html.contains("<td>2</td><td>1</td>"), "{html}");
    }
}
