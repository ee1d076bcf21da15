//! Charts drawn at build time as inline SVG: stacked level bars, bar charts
//! (skills, hours saved) and trend lines against a baseline (with a compact
//! sparkline form). Every chart is a `<figure>` holding an SVG with
//! `role="img"`, a `<title>` and `<desc>`, a `viewBox` and no fixed width,
//! followed by a table of the numbers behind it, so it reads without sight,
//! prints, and needs no script. Colours come from the Okabe–Ito palette,
//! which stays distinguishable for colour-blind readers and in greyscale.

use std::fmt::Write;

use serde::Deserialize;

use crate::base::format::format_number;
use crate::render::markdown::escape;

/// Colours for series, distinguishable with colour-blindness and in print.
const PALETTE: [&str; 6] = [
    "#D55E00", "#56B4E9", "#0072B2", "#009E73", "#E69F00", "#CC79A7",
];

/// One labelled row of a stacked bar chart.
#[derive(Debug, Clone, Deserialize)]
pub struct StackedRow {
    /// Row label (a quarter or a partner).
    pub label: String,
    /// One count per series, in series order.
    pub values: Vec<f64>,
}

/// Horizontal 100% bars, one per row, stacked by series (such as the level
/// mix per quarter).
pub fn stacked_bars(title: &str, series: &[String], rows: &[StackedRow]) -> String {
    let row_height = 28.0;
    let label_width = label_width(rows.iter().map(|r| r.label.as_str()));
    let bar_width = 460.0;
    let legend_height = 28.0;
    let height = legend_height + rows.len() as f64 * row_height + 8.0;
    let mut svg = svg_open(
        title,
        &describe_stacked(series, rows),
        label_width + bar_width + 10.0,
        height,
    );
    for (i, name) in series.iter().enumerate() {
        let x = label_width + i as f64 * 150.0;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" class="chart-label">{}</text>"#,
            PALETTE[i % PALETTE.len()],
            x + 16.0,
            escape(name)
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let y = legend_height + r as f64 * row_height;
        let total: f64 = row.values.iter().sum();
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text>"#,
            y + 17.0,
            escape(&row.label)
        );
        let mut x = label_width;
        for (i, value) in row.values.iter().enumerate() {
            let width = if total > 0.0 {
                bar_width * value / total
            } else {
                0.0
            };
            if width > 0.0 {
                let _ = write!(
                    svg,
                    r##"<rect x="{x:.1}" y="{y}" width="{width:.1}" height="20" fill="{}" stroke="#fff" stroke-width="1"/>"##,
                    PALETTE[i % PALETTE.len()]
                );
                if width > 22.0 {
                    let colour = if i % PALETTE.len() == 2 {
                        "#fff"
                    } else {
                        "#000"
                    };
                    let _ = write!(
                        svg,
                        r#"<text x="{:.1}" y="{}" fill="{colour}" class="chart-value" text-anchor="middle">{}</text>"#,
                        x + width / 2.0,
                        y + 14.0,
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
    figure(title, &svg, &head, &body)
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

/// Horizontal bars on a common scale up to `max` (or the largest value),
/// with an optional marker per bar for a comparison value.
pub fn bars(
    title: &str,
    unit: &str,
    bars: &[Bar],
    max: Option<f64>,
    compare_label: Option<&str>,
) -> String {
    let row_height = 26.0;
    let decimals = decimals_for(
        bars.iter()
            .flat_map(|b| [Some(b.value), b.compare])
            .flatten(),
    );
    let label_width = label_width(bars.iter().map(|b| b.label.as_str()));
    let bar_width = 330.0;
    let largest = bars
        .iter()
        .flat_map(|b| [b.value, b.compare.unwrap_or(0.0)])
        .fold(0.0, f64::max);
    let scale = max.unwrap_or(largest).max(f64::EPSILON);
    let height = bars.len() as f64 * row_height + 6.0;
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
    let mut svg = svg_open(title, &description, label_width + bar_width + 70.0, height);
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * row_height;
        let width = bar_width * (bar.value / scale).clamp(0.0, 1.0);
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="chart-label">{}</text><rect x="{label_width}" y="{}" width="{bar_width}" height="16" class="chart-track"/><rect x="{label_width}" y="{}" width="{width:.1}" height="16" fill="{}"/><text x="{:.1}" y="{}" class="chart-value">{}</text>"#,
            y + 15.0,
            escape(&bar.label),
            y + 3.0,
            y + 3.0,
            PALETTE[2],
            label_width + bar_width + 6.0,
            y + 15.0,
            format_number(bar.value, decimals)
        );
        if let Some(compare) = bar.compare {
            let x = label_width + bar_width * (compare / scale).clamp(0.0, 1.0);
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{}" width="3" height="22" fill="{}"/>"#,
                x - 1.5,
                y,
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
    figure(title, &svg, &head, &body)
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
    let mut svg = svg_open(title, &description, width, height);
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
    figure(title, &svg, &head, &body)
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

/// Room for the longest label at the chart's 12px type, so labels are not clipped.
fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> f64 {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(0);
    (longest as f64 * 6.8 + 10.0).clamp(60.0, 320.0).round()
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

fn svg_open(title: &str, description: &str, width: f64, height: f64) -> String {
    format!(
        r#"<svg class="chart-svg" viewBox="0 0 {width} {height}" role="img" preserveAspectRatio="xMinYMin meet"><title>{}</title><desc>{}</desc>"#,
        escape(title),
        escape(description)
    )
}

/// The chart and its numbers: the table is the chart's text equivalent.
fn figure(title: &str, svg: &str, head: &[String], body: &[Vec<String>]) -> String {
    let mut html = format!(
        "<figure class=\"chart\">{svg}<table class=\"chart-data\"><caption>{}</caption><thead><tr>",
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
    html.push_str("</tbody></table></figure>");
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
        assert!(html.contains("viewBox=") && !html.contains("width=\"100%\""));
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
        assert!(html.contains(r#"width="165.0""#), "{html}");
        assert!(html.contains("<td>2</td><td>1</td>"), "{html}");
    }
}
