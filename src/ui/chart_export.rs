//! Buttons that take a chart away: as PNG (the canvas), as SVG (the same drawing in vectors)
//! and as CSV (its data).

use super::chart;
use super::commands::Commands;
use super::files;
use leptos::html::Canvas;
use leptos::prelude::*;

/// PNG, SVG and CSV downloads of the chart on `canvas`, saved as `name`.png and so on.
#[component]
pub fn ChartExport(canvas: NodeRef<Canvas>, #[prop(into)] name: String) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let label = format!("Save the chart {name}");
    let test_id = |format: &str| format!("export-{name}-{format}");
    let (png_id, svg_id, csv_id) = (test_id("png"), test_id("svg"), test_id("csv"));
    let name = StoredValue::new(name);
    let file = move |extension: &str| format!("{}.{extension}", name.get_value());
    let id = move || {
        canvas
            .get_untracked()
            .and_then(|c| c.get_attribute("data-testid"))
    };
    let result = move |what: &str, outcome: Result<(), String>| {
        if let Err(problem) = outcome {
            commands.say(format!("The chart could not be saved as {what}: {problem}"));
        }
    };
    let png = move |_| {
        let outcome = canvas
            .get_untracked()
            .ok_or_else(|| "the chart is not on the page".to_string())
            .and_then(|c| c.to_data_url().map_err(|e| format!("{e:?}")))
            .and_then(|url| files::download_url(&file("png"), &url));
        result("PNG", outcome);
    };
    let svg = move |_| {
        let outcome = match id().and_then(|id| chart::svg_of(&id)) {
            Some(Ok(svg)) => files::download(&file("svg"), &svg, "image/svg+xml"),
            Some(Err(problem)) => Err(problem),
            None => Err("nothing is drawn yet".into()),
        };
        result("SVG", outcome);
    };
    let csv = move |_| {
        let outcome = match id().and_then(|id| chart::csv_of(&id)) {
            Some(csv) => files::download(&file("csv"), &csv, "text/csv"),
            None => Err("nothing is drawn yet".into()),
        };
        result("CSV", outcome);
    };
    view! {
        <div class="chart-export" role="group" aria-label=label>
            <button class="small" data-testid=png_id on:click=png>
                "PNG"
            </button>
            <button class="small" data-testid=svg_id on:click=svg>
                "SVG"
            </button>
            <button class="small" data-testid=csv_id on:click=csv>
                "CSV"
            </button>
        </div>
    }
}
