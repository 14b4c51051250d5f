//! Bar charts drawn on the server as inline SVG: no charting library and no script, so they
//! show on a slow or closed network, print, and read the same in every browser.

use std::fmt::Write;

/// One series of a chart: a legend label, a CSS class for its colour, a value per day.
#[derive(Debug)]
pub(crate) struct Series {
    pub label: String,
    pub class: &'static str,
    pub values: Vec<i64>,
}

const HEIGHT: i64 = 150;
const LEFT: i64 = 36;
const TOP: i64 = 8;
const AXIS: i64 = 18;
const LEGEND: i64 = 20;

/// Escapes text for SVG (XML) content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart of per-day values: series side by side (`stacked: false`) or on top of each
/// other. Every bar carries a `<title>` with its day, series and value for hovering.
pub(crate) fn bars(title: &str, days: &[String], series: &[Series], stacked: bool) -> String {
    let n_series = series.len().max(1) as i64;
    let slot: i64 = if stacked { 18 } else { 8 * n_series + 6 };
    let legend: i64 = series
        .iter()
        .map(|s| 24 + 6 * s.label.chars().count() as i64)
        .sum();
    // Wide enough for the bars and for the legend under them.
    let width = (LEFT + slot * days.len().max(1) as i64 + 8).max(LEFT + legend);
    let value = |s: &Series, d: usize| s.values.get(d).copied().unwrap_or(0).max(0);
    let max = (0..days.len())
        .map(|d| {
            if stacked {
                series.iter().map(|s| value(s, d)).sum::<i64>()
            } else {
                series.iter().map(|s| value(s, d)).max().unwrap_or(0)
            }
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |v: i64| v * HEIGHT / max;
    let total_height = TOP + HEIGHT + AXIS + LEGEND;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {width} {total_height}\" \
         width=\"{width}\" height=\"{total_height}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    // The axis: zero and the largest value.
    let base = TOP + HEIGHT;
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\"/>\
         <text x=\"{x}\" y=\"{y}\" text-anchor=\"end\">{max}</text>\
         <text x=\"{x}\" y=\"{base}\" text-anchor=\"end\">0</text>",
        x = LEFT - 4,
        y = TOP + 8,
    );
    // A day label ("11-27") needs about 32 px: label every day when the slots are that wide,
    // else every second, third… day.
    let every = usize::try_from((32 + slot - 1) / slot).unwrap_or(1).max(1);
    for (d, day) in days.iter().enumerate() {
        let x0 = LEFT + slot * d as i64 + 3;
        let mut stack = 0;
        for (i, s) in series.iter().enumerate() {
            let v = value(s, d);
            if v == 0 {
                continue;
            }
            let (x, y, w, h) = if stacked {
                let top = scale(stack + v);
                let bottom = scale(stack);
                stack += v;
                (x0, base - top, slot - 6, (top - bottom).max(1))
            } else {
                let h = scale(v).max(1);
                (x0 + 8 * i as i64, base - h, 7, h)
            };
            let _ = write!(
                svg,
                "<rect class=\"bar {c}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\">\
                 <title>{day} · {l}: {v}</title></rect>",
                c = s.class,
                day = esc(day),
                l = esc(&s.label),
            );
        }
        if d % every == 0 {
            let label = day.get(5..).unwrap_or(day);
            let _ = write!(
                svg,
                "<text x=\"{x}\" y=\"{y}\">{l}</text>",
                x = x0,
                y = base + 13,
                l = esc(label)
            );
        }
    }
    let mut x = LEFT;
    let y = base + AXIS + 10;
    for s in series {
        let _ = write!(
            svg,
            "<rect class=\"bar {c}\" x=\"{x}\" y=\"{ry}\" width=\"10\" height=\"10\"/>\
             <text x=\"{tx}\" y=\"{y}\">{l}</text>",
            c = s.class,
            ry = y - 9,
            tx = x + 14,
            l = esc(&s.label)
        );
        x += 24 + 6 * s.label.chars().count() as i64;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_largest_value_and_titled() {
        let days = vec!["2026-12-01".to_string(), "2026-12-02".to_string()];
        let svg = bars(
            "Received <and> processed",
            &days,
            &[
                Series {
                    label: "received".into(),
                    class: "",
                    values: vec![10, 5],
                },
                Series {
                    label: "processed".into(),
                    class: "good",
                    values: vec![8, 0],
                },
            ],
            false,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Received &lt;and&gt; processed"));
        // The largest bar is the full height; a zero draws nothing.
        assert!(svg.contains(&format!(
            "height=\"{HEIGHT}\"><title>2026-12-01 · received: 10"
        )));
        assert!(svg.contains("2026-12-01 · processed: 8"));
        assert!(!svg.contains("2026-12-02 · processed"));
        assert_eq!(svg.matches("<rect class=\"bar").count(), 3 + 2);
    }

    #[test]
    fn stacked_bars_sit_on_each_other() {
        let days = vec!["2026-12-01".to_string()];
        let svg = bars(
            "late",
            &days,
            &[
                Series {
                    label: "a".into(),
                    class: "late",
                    values: vec![1],
                },
                Series {
                    label: "b".into(),
                    class: "bad",
                    values: vec![1],
                },
            ],
            true,
        );
        let half = HEIGHT / 2;
        assert!(svg.contains(&format!(
            "y=\"{}\" width=\"12\" height=\"{half}\"",
            TOP + half
        )));
        assert!(svg.contains(&format!("y=\"{TOP}\" width=\"12\" height=\"{half}\"")));
    }
}
