//! `rawmap-plot MEDIANS.tsv OUT.png`: two log-log panels, left the cost of
//! map + touch + unmap against the size for each strategy, right the cost
//! of fork + exit + wait4 against the parent's resident memory. Input lines:
//! `series<TAB>bytes<TAB>seconds`. Grid lines: every power of 4 in x (4 KiB
//! to 1 GiB), every power of 10 in y.

use plotters::prelude::*;
use std::collections::BTreeMap;

/// Colours in the order BENCHMARKS.md lists the series.
const SERIES: [(&str, RGBColor); 5] = [
    ("touch on demand", RGBColor(31, 119, 180)),
    ("MAP_POPULATE", RGBColor(255, 127, 14)),
    ("MADV_HUGEPAGE", RGBColor(44, 160, 44)),
    ("MAP_SHARED anonymous", RGBColor(214, 39, 40)),
    ("fork+exit+wait4", RGBColor(0, 0, 0)),
];

type Curve = Vec<(f64, f64)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        return Err("usage: rawmap-plot MEDIANS.tsv OUT.png".into());
    };
    let mut curves: BTreeMap<String, Curve> = BTreeMap::new();
    for line in std::fs::read_to_string(input)?.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [series, bytes, seconds] = fields[..] {
            curves
                .entry(series.to_owned())
                .or_default()
                .push((bytes.parse()?, seconds.parse()?));
        }
    }

    for points in curves.values_mut() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }

    let root = BitMapBackend::new(output, (1200, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(800);
    let x_range = (2048f64..2.2e9).log_scale();
    let y_range = |names: &[&str]| {
        let values = names
            .iter()
            .filter_map(|name| curves.get(*name))
            .flatten()
            .map(|&(_, seconds)| seconds);
        let (low, high) = values.fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
        (10f64.powf(low.log10().floor())..10f64.powf(high.log10().ceil())).log_scale()
    };
    let panels = [(&left, &SERIES[..4]), (&right, &SERIES[4..])];
    for (area, series) in panels {
        let names: Vec<&str> = series.iter().map(|(name, _)| *name).collect();
        let mut chart = ChartBuilder::on(area)
            .margin(20)
            .build_cartesian_2d(x_range.clone(), y_range(&names))?;
        chart
            .configure_mesh()
            .x_labels(0)
            .y_labels(0)
            .light_line_style(WHITE)
            .draw()?;
        // Grid: powers of 4 bytes across, powers of 10 seconds up.
        let (y_low, y_high) = (chart.y_range().start, chart.y_range().end);
        for k in 0..10 {
            let x = 4096.0 * 4f64.powi(k);
            chart.draw_series(LineSeries::new(
                [(x, y_low), (x, y_high)],
                RGBColor(220, 220, 220),
            ))?;
        }
        let mut y = y_low;
        while y <= y_high * 1.001 {
            chart.draw_series(LineSeries::new(
                [(2048.0, y), (2.2e9, y)],
                RGBColor(220, 220, 220),
            ))?;
            y *= 10.0;
        }
        for (name, colour) in series {
            if let Some(points) = curves.get(*name) {
                let style = colour.stroke_width(3);
                chart.draw_series(LineSeries::new(points.iter().copied(), style))?;
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
            }
        }
    }
    root.present()?;
    Ok(())
}
