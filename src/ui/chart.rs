//! Line charts drawn with plotters on a canvas: learner U/T against epochs with the exact U/T as
//! a dashed line.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

const LEARNER: RGBColor = RGBColor(0x2f, 0x6f, 0xde);
const EXACT: RGBColor = RGBColor(0xd9, 0x48, 0x41);

/// Draws `points` (x, y) as a line with markers, and `reference` as a dashed horizontal line.
pub fn line_chart(
    canvas: &HtmlCanvasElement,
    points: &[(f64, f64)],
    reference: Option<f64>,
    x_label: &str,
    y_label: &str,
) -> Result<(), String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("the canvas has no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(_, y)| y.is_finite())
        .collect();
    let ys = finite.iter().map(|p| p.1).chain(reference);
    let (lo, hi) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let (lo, hi) = if lo > hi { (0.0, 1.0) } else { (lo, hi) };
    let pad = ((hi - lo) * 0.1).max(1e-3 * hi.abs().max(1.0));
    let x_max = finite.iter().map(|p| p.0).fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_max, (lo - pad)..(hi + pad))
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| e.to_string())?;
    if let Some(exact) = reference {
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, exact), (x_max, exact)],
                8,
                5,
                EXACT.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label("exact")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], EXACT.stroke_width(2)));
    }
    chart
        .draw_series(LineSeries::new(
            finite.iter().copied(),
            LEARNER.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?
        .label("learner")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], LEARNER.stroke_width(2)));
    chart
        .draw_series(finite.iter().map(|&p| Circle::new(p, 3, LEARNER.filled())))
        .map_err(|e| e.to_string())?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
