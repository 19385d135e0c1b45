//! Charts drawn with plotters on a canvas: U/T against epochs (or N_W) with the exact U/T as a
//! dashed line, and several series with error bars (observables, true vs learned). Each chart
//! drawn is remembered, so it can be taken away as PNG, SVG (the same drawing, as vectors) or
//! CSV (its data).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::cell::RefCell;
use std::collections::HashMap;
use web_sys::HtmlCanvasElement;

const LEARNER: RGBColor = RGBColor(0x2f, 0x6f, 0xde);
const EXACT: RGBColor = RGBColor(0xd9, 0x48, 0x41);

const HELD_OUT: RGBColor = RGBColor(0x1b, 0x9e, 0x77);
const HELD_OUT_EXACT: RGBColor = RGBColor(0x7a, 0x5c, 0x00);
const BLIND: RGBColor = RGBColor(0x80, 0x80, 0x80);

/// U/T curves to draw on one chart: the learner on its training trajectory and on a held-out
/// one, each with the exact U/T of its trajectory as a dashed line.
pub struct UCurves {
    pub training: Vec<(f64, f64)>,
    pub exact: Option<f64>,
    pub held_out: Vec<(f64, f64)>,
    /// Error bars of the held-out points (half-widths), one per point, if known.
    pub held_out_errors: Option<Vec<f64>>,
    pub held_out_exact: Option<f64>,
    /// The occupancy-blind optimum, dashed: a learner above it knows about occupancy.
    pub blind: Option<f64>,
    /// Discover: the best U/T with N_W rates per kind of move, dashed, one point per N_W.
    pub kind_bound: Vec<(f64, f64)>,
}

/// Draws [`UCurves`]: lines with markers, and each exact U/T as a dashed horizontal line.
pub fn u_chart(
    canvas: &HtmlCanvasElement,
    curves: &UCurves,
    x_label: &str,
    y_label: &str,
) -> Result<(), String> {
    let xs = curves
        .training
        .iter()
        .chain(&curves.held_out)
        .map(|p| p.0)
        .filter(|x| x.is_finite());
    let (x_lo, x_hi) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let (x_lo, x_hi) = if x_lo > x_hi {
        (0.0, 1.0)
    } else {
        (x_lo, x_hi)
    };
    let line = |label: &str, colour, points: Vec<(f64, f64)>, dashed| Series {
        label: label.into(),
        colour,
        points,
        errors: None,
        dashed,
    };
    // Horizontal references, dashed; the held-out exact U/T only once there is a held-out curve.
    let held_out_exact = curves
        .held_out_exact
        .filter(|_| !curves.held_out.is_empty());
    let references = [
        ("exact", EXACT, curves.exact),
        ("exact, held-out", HELD_OUT_EXACT, held_out_exact),
        ("occupancy-blind optimum", BLIND, curves.blind),
    ];
    let mut series: Vec<Series> = references
        .into_iter()
        .filter_map(|(label, colour, y)| {
            Some(line(label, colour, vec![(x_lo, y?), (x_hi, y?)], true))
        })
        .collect();
    if !curves.kind_bound.is_empty() {
        series.push(line(
            "best with N_W rates per kind",
            BLIND,
            curves.kind_bound.clone(),
            true,
        ));
    }
    series.push(line("training", LEARNER, curves.training.clone(), false));
    if !curves.held_out.is_empty() {
        let errors = curves
            .held_out_errors
            .clone()
            .filter(|e| e.len() == curves.held_out.len());
        let label = if errors.is_some() {
            "held-out (± 2 s.e. of the gap to the best)"
        } else {
            "held-out"
        };
        series.push(Series {
            errors,
            ..line(label, HELD_OUT, curves.held_out.clone(), false)
        });
    }
    multi_chart(canvas, &series, x_label, y_label)
}

/// One line of a [`multi_chart`]: points, optional error bars (± per point), style.
#[derive(Clone)]
pub struct Series {
    pub label: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// Half-widths of error bars, one per point.
    pub errors: Option<Vec<f64>>,
    pub dashed: bool,
}

/// The true dynamics' colour in comparisons.
pub const TRUE_COLOUR: RGBColor = EXACT;
/// The learned dynamics' colour in comparisons.
pub const LEARNED_COLOUR: RGBColor = LEARNER;

/// What was last drawn on a canvas, to export it.
struct Drawn {
    series: Vec<Series>,
    x_label: String,
    y_label: String,
    size: (u32, u32),
}

thread_local! {
    /// The last drawing of each chart, by the canvas's `data-testid`.
    static DRAWN: RefCell<HashMap<String, Drawn>> = RefCell::new(HashMap::new());
}

/// Draws several series on shared axes, with error bars where given and a legend.
pub fn multi_chart(
    canvas: &HtmlCanvasElement,
    series: &[Series],
    x_label: &str,
    y_label: &str,
) -> Result<(), String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    draw(backend.into_drawing_area(), series, x_label, y_label)?;
    if let Some(id) = canvas.get_attribute("data-testid") {
        let drawn = Drawn {
            series: series.to_vec(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            size: (canvas.width(), canvas.height()),
        };
        DRAWN.with(|d| d.borrow_mut().insert(id, drawn));
    }
    Ok(())
}

/// The data of the chart `id` as CSV, one row per point: series, x, y and the error bar's
/// half-width (empty where there is none).
pub fn csv_of(id: &str) -> Option<String> {
    DRAWN.with(|d| {
        let d = d.borrow();
        let drawn = d.get(id)?;
        let quoted = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        let mut csv = format!(
            "series,{},{},error\n",
            quoted(&drawn.x_label),
            quoted(&drawn.y_label)
        );
        for s in &drawn.series {
            for (i, (x, y)) in s.points.iter().enumerate() {
                let error = s
                    .errors
                    .as_ref()
                    .and_then(|e| e.get(i))
                    .map(f64::to_string)
                    .unwrap_or_default();
                csv.push_str(&format!("{},{x},{y},{error}\n", quoted(&s.label)));
            }
        }
        Some(csv)
    })
}

/// The chart `id` drawn again as SVG.
pub fn svg_of(id: &str) -> Option<Result<String, String>> {
    DRAWN.with(|d| {
        let d = d.borrow();
        let drawn = d.get(id)?;
        let mut svg = String::new();
        let result = draw(
            SVGBackend::with_string(&mut svg, drawn.size).into_drawing_area(),
            &drawn.series,
            &drawn.x_label,
            &drawn.y_label,
        );
        Some(result.map(|()| svg))
    })
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    series: &[Series],
    x_label: &str,
    y_label: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let mut bounds = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in series {
        for (i, p) in s.points.iter().enumerate().filter(|(_, p)| finite(p)) {
            let e = s
                .errors
                .as_ref()
                .and_then(|e| e.get(i))
                .copied()
                .unwrap_or(0.0);
            bounds = (
                bounds.0.min(p.0),
                bounds.1.max(p.0),
                bounds.2.min(p.1 - e),
                bounds.3.max(p.1 + e),
            );
        }
    }
    let (x_lo, x_hi, y_lo, y_hi) = if bounds.0 > bounds.1 {
        (0.0, 1.0, 0.0, 1.0)
    } else {
        bounds
    };
    let x_pad = if x_hi - x_lo > 1e-9 {
        (x_hi - x_lo) * 0.05
    } else {
        0.05 * x_hi.abs().max(1.0)
    };
    let y_pad = ((y_hi - y_lo) * 0.1).max(1e-3 * y_hi.abs().max(1.0));
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(
            (x_lo - x_pad)..(x_hi + x_pad),
            (y_lo - y_pad)..(y_hi + y_pad),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    for s in series {
        let points: Vec<(f64, f64)> = s.points.iter().copied().filter(finite).collect();
        let style = s.colour.stroke_width(2);
        let colour = s.colour;
        if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(points.iter().copied(), 8, 5, style))
                .map_err(|e| e.to_string())?
                .label(s.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        } else {
            chart
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(|e| e.to_string())?
                .label(s.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2))
                });
        }
        if !s.dashed && points.len() <= 60 {
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(|e| e.to_string())?;
        }
        if let Some(errors) = &s.errors {
            let cap = x_pad * 0.3;
            let bars = s
                .points
                .iter()
                .zip(errors)
                .filter(|(p, e)| finite(p) && e.is_finite() && **e > 0.0)
                .flat_map(|(&(x, y), &e)| {
                    [
                        PathElement::new([(x, y - e), (x, y + e)], colour.stroke_width(1)),
                        PathElement::new(
                            [(x - cap, y - e), (x + cap, y - e)],
                            colour.stroke_width(1),
                        ),
                        PathElement::new(
                            [(x - cap, y + e), (x + cap, y + e)],
                            colour.stroke_width(1),
                        ),
                    ]
                });
            chart.draw_series(bars).map_err(|e| e.to_string())?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
