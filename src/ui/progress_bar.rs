//! The one progress bar of the page (training, scan, sweep): a filled bar and a sentence.

use leptos::prelude::*;

/// A bar filled to `percent` (0–100) with `text` over it; an ARIA progress bar.
#[component]
pub fn ProgressBar(
    #[prop(into)] test_id: String,
    #[prop(into)] percent: Signal<f64>,
    #[prop(into)] text: Signal<String>,
) -> impl IntoView {
    let percent = move || percent.get().clamp(0.0, 100.0);
    view! {
        <div
            class="progress"
            data-testid=test_id
            role="progressbar"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || format!("{:.0}", percent())
            aria-label=move || text.get()
        >
            <div
                class="bar"
                style=move || format!("transform: scaleX({:.4})", percent() / 100.0)
            ></div>
            <span>{move || text.get()}</span>
        </div>
    }
}
