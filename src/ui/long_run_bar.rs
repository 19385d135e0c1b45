//! The question the page asks when a job was measured to take long: go on, or stop.

use super::commands::Commands;
use crate::core::compute::BackendKind;
use crate::core::estimate::{ASK_ABOVE_SECONDS, PROBE_SECONDS, describe_bytes, describe_duration};
use crate::protocol::Request;
use leptos::prelude::*;

/// A paused job waiting for the user's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct LongRunQuestion {
    pub job: String,
    pub seconds: f64,
    pub bytes: Option<f64>,
}

#[component]
pub fn LongRunBar(
    question: RwSignal<Option<LongRunQuestion>>,
    backend: Signal<Option<BackendKind>>,
) -> impl IntoView {
    let commands = expect_context::<Commands>();
    let answer = move |request: Request| {
        question.set(None);
        commands.send(request);
    };
    move || {
        question.get().map(|q| {
            let machine = match backend.get() {
                Some(BackendKind::Gpu) => "on this GPU",
                _ => "on this computer's CPU",
            };
            let memory = q
                .bytes
                .map(|b| format!(" and needs {} of memory", describe_bytes(b)))
                .unwrap_or_default();
            let text = format!(
                "This {} will take {} {machine}{memory} (measured over its first {PROBE_SECONDS:.0} s). \
                 It is paused: go on?",
                q.job,
                describe_duration(q.seconds),
            );
            let limit = describe_duration(ASK_ABOVE_SECONDS).replace("about ", "");
            view! {
                <div
                    class="long-run"
                    role="alertdialog"
                    aria-label="A long run"
                    data-testid="long-run"
                    data-seconds=q.seconds.to_string()
                    data-job=q.job.clone()
                >
                    <p>{text}</p>
                    <p class="hint">
                        {format!(
                            "The page asks before any job longer than {limit}. A smaller network, \
                            fewer epochs or a shorter trajectory is faster.",
                        )}
                    </p>
                    <button
                        class="primary"
                        data-testid="long-run-go-on"
                        on:click=move |_| answer(Request::Resume)
                    >
                        "Go on"
                    </button>
                    <button data-testid="long-run-stop" on:click=move |_| answer(Request::Stop)>
                        "Stop"
                    </button>
                </div>
            }
        })
    }
}
