//! Draws a configuration on a canvas: active-lattice particles as squares coloured and pointed by
//! their orientation; FA sites as a space-time strip whose newest row is at the bottom.

use crate::core::simulation::ConfigView;
use std::collections::VecDeque;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Colours of the orientations +x, +y, -x, -y.
/// The Okabe–Ito colours, which readers with any common colour-vision deficiency tell apart; the
/// arrow on each particle says the orientation without colour.
const ORIENTATION_COLOURS: [&str; 4] = ["#e69f00", "#0072b2", "#009e73", "#cc79a7"];
const BACKGROUND: &str = "#eef2fa";
const GRID: &str = "#dde3ee";

/// Rows of the FA space-time strip kept for drawing.
pub const STRIP_ROWS: usize = 200;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Draws `view`; FA rows are appended to `strip`, which keeps the last [`STRIP_ROWS`].
pub fn draw(canvas: &HtmlCanvasElement, view: &ConfigView, strip: &mut VecDeque<Vec<u8>>) {
    let Some(ctx) = context(canvas) else { return };
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    ctx.set_fill_style_str(BACKGROUND);
    ctx.fill_rect(0.0, 0.0, w, h);
    match view {
        ConfigView::Particles { l, particles } => {
            let cell = w.min(h) / *l as f64;
            ctx.set_stroke_style_str(GRID);
            ctx.set_line_width(0.5);
            for i in 0..=*l {
                let p = i as f64 * cell;
                ctx.begin_path();
                ctx.move_to(p, 0.0);
                ctx.line_to(p, *l as f64 * cell);
                ctx.move_to(0.0, p);
                ctx.line_to(*l as f64 * cell, p);
                ctx.stroke();
            }
            for ((&x, &y), &o) in particles.x.iter().zip(&particles.y).zip(&particles.o) {
                // Lattice y grows upwards, canvas y downwards.
                let (px, py) = (x as f64 * cell, (*l - 1 - y as usize) as f64 * cell);
                ctx.set_fill_style_str(ORIENTATION_COLOURS[o as usize % 4]);
                ctx.fill_rect(px + 1.0, py + 1.0, cell - 2.0, cell - 2.0);
                draw_arrow(&ctx, px + cell / 2.0, py + cell / 2.0, cell * 0.32, o);
            }
        }
        ConfigView::Sites { sites } => {
            strip.push_back(sites.n.clone());
            while strip.len() > STRIP_ROWS {
                strip.pop_front();
            }
            let cell_w = w / sites.n.len().max(1) as f64;
            let cell_h = h / STRIP_ROWS as f64;
            ctx.set_fill_style_str("#1d2430");
            let top = h - strip.len() as f64 * cell_h;
            for (row, n) in strip.iter().enumerate() {
                for (i, &up) in n.iter().enumerate() {
                    if up == 1 {
                        ctx.fill_rect(
                            i as f64 * cell_w,
                            top + row as f64 * cell_h,
                            cell_w,
                            cell_h.max(1.0),
                        );
                    }
                }
            }
        }
    }
}

/// Over an active-lattice `view` already drawn: each particle ringed in proportion to
/// `weights` (the largest fully), and the particle `selected` outlined.
pub fn highlight(canvas: &HtmlCanvasElement, view: &ConfigView, weights: &[f32], selected: usize) {
    let (Some(ctx), ConfigView::Particles { l, particles }) = (context(canvas), view) else {
        return;
    };
    let cell = f64::from(canvas.width().min(canvas.height())) / *l as f64;
    let corner = |i: usize| {
        let (x, y) = (
            particles.x[i] as f64,
            (*l - 1 - particles.y[i] as usize) as f64,
        );
        (x * cell, y * cell)
    };
    let top = weights.iter().copied().fold(0.0f32, f32::max).max(1e-12);
    ctx.set_line_width((cell * 0.18).max(2.0));
    for (i, &w) in weights.iter().enumerate().take(particles.x.len()) {
        let (px, py) = corner(i);
        ctx.set_stroke_style_str(&format!("rgba(213, 94, 0, {:.3})", w / top));
        ctx.stroke_rect(px + 2.0, py + 2.0, cell - 4.0, cell - 4.0);
    }
    if selected < particles.x.len() {
        let (px, py) = corner(selected);
        ctx.set_line_width(3.0);
        ctx.set_stroke_style_str("#1d2430");
        ctx.stroke_rect(px - 1.0, py - 1.0, cell + 2.0, cell + 2.0);
    }
}

/// The particle of an active-lattice `view` drawn at canvas pixel (`x`, `y`), if any.
pub fn particle_at(canvas: &HtmlCanvasElement, view: &ConfigView, x: f64, y: f64) -> Option<usize> {
    let ConfigView::Particles { l, particles } = view else {
        return None;
    };
    let cell = f64::from(canvas.width().min(canvas.height())) / *l as f64;
    let (cx, row) = ((x / cell).floor(), (y / cell).floor());
    if cx < 0.0 || row < 0.0 || cx >= *l as f64 || row >= *l as f64 {
        return None;
    }
    let (cx, cy) = (cx as usize, *l - 1 - row as usize);
    (0..particles.x.len()).find(|&i| particles.x[i] as usize == cx && particles.y[i] as usize == cy)
}

/// A white triangle pointing along orientation `o` (0: +x, 1: +y, 2: -x, 3: -y).
fn draw_arrow(ctx: &CanvasRenderingContext2d, cx: f64, cy: f64, r: f64, o: u8) {
    let angle = -(o as f64) * std::f64::consts::FRAC_PI_2;
    let point = |a: f64, s: f64| {
        (
            cx + s * r * (angle + a).cos(),
            cy + s * r * (angle + a).sin(),
        )
    };
    let (tip, left, right) = (point(0.0, 1.0), point(2.4, 0.8), point(-2.4, 0.8));
    ctx.set_fill_style_str("#ffffff");
    ctx.begin_path();
    ctx.move_to(tip.0, tip.1);
    ctx.line_to(left.0, left.1);
    ctx.line_to(right.0, right.1);
    ctx.close_path();
    ctx.fill();
}
