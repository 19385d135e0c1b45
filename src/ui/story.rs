//! The guided story: the four steps (Simulate, Learn, Discover, Extrapolate) as a stepper that
//! shows where the page stands, and a button that plays them in order on the classroom preset,
//! each step starting when the one before has finished.

use super::commands::Commands;
use super::copy_link::CopyLink;
use super::page_state::PageState;
use super::settings_form::write_link;
use crate::core::presets::Preset;
use crate::protocol::link::LinkSettings;
use crate::protocol::messages::Event;
use leptos::prelude::*;

/// One step of the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Simulate,
    Learn,
    Discover,
    Extrapolate,
}

impl Step {
    /// The steps in the order of the story.
    pub const ALL: [Step; 4] = [
        Step::Simulate,
        Step::Learn,
        Step::Discover,
        Step::Extrapolate,
    ];

    /// The step's name, as its panel is titled.
    pub fn title(self) -> &'static str {
        match self {
            Step::Simulate => "Simulate",
            Step::Learn => "Learn",
            Step::Discover => "Discover",
            Step::Extrapolate => "Extrapolate",
        }
    }

    /// The id of the step's panel.
    pub fn panel_id(self) -> &'static str {
        match self {
            Step::Simulate => "simulate-panel",
            Step::Learn => "learn-panel",
            Step::Discover => "discover-panel",
            Step::Extrapolate => "extrapolate-panel",
        }
    }

    /// What the step does, in a few words for the stepper.
    fn summary(self) -> &'static str {
        match self {
            Step::Simulate => "record one trajectory of the true dynamics",
            Step::Learn => "a transformer learns its rates",
            Step::Discover => "how many distinct processes?",
            Step::Extrapolate => "run the learned rules at a new density",
        }
    }
}

/// Where the story is: the step playing, if any.
#[derive(Clone, Copy)]
pub struct Story {
    pub playing: RwSignal<Option<Step>>,
    /// The last story ran to its end.
    pub finished: RwSignal<bool>,
}

impl Story {
    pub fn new() -> Self {
        Self {
            playing: RwSignal::new(None),
            finished: RwSignal::new(false),
        }
    }

    /// Puts the classroom preset in the link and the forms and starts its simulation.
    pub fn start(self, page: PageState) {
        let link = page.link;
        let current = link.get_untracked();
        let settings = LinkSettings {
            embed: current.embed,
            ..LinkSettings::of_preset(Preset::Classroom, current.backend)
        };
        write_link(&settings);
        link.set(settings.clone());
        self.finished.set(false);
        self.enter(Step::Simulate);
        page.simulation.start(settings, page.commands);
    }

    /// Moves the story on after `event`: a finished step starts the next one, a step that
    /// ends any other way (stopped, failed) ends the story.
    pub fn follow(self, event: &Event, page: PageState) {
        let Some(step) = self.playing.get_untracked() else {
            return;
        };
        let settings = page.link.get_untracked();
        let commands = page.commands;
        match (step, event) {
            (Step::Simulate, Event::TrajectoryReady(_)) => {
                self.enter(Step::Learn);
                page.learn.start_training(settings, commands);
            }
            (
                Step::Learn,
                Event::TrainingFinished {
                    completed: true, ..
                },
            ) => {
                self.enter(Step::Discover);
                page.discover.start_scan(settings, commands);
            }
            (Step::Discover, Event::ScanFinished { completed: true }) => {
                self.enter(Step::Extrapolate);
                page.extrapolate.start_side_by_side(settings, commands);
            }
            (
                Step::Extrapolate,
                Event::SideBySideFinished {
                    completed: true, ..
                },
            ) => {
                self.playing.set(None);
                self.finished.set(true);
            }
            // The step's own job ended short (stopped, or it failed); the end of a job from
            // before the story is not its concern.
            (
                Step::Learn,
                Event::TrainingFinished {
                    completed: false, ..
                },
            )
            | (Step::Discover, Event::ScanFinished { completed: false })
            | (
                Step::Extrapolate,
                Event::SideBySideFinished {
                    completed: false, ..
                },
            )
            | (_, Event::WorkerFailed { .. }) => self.stop(step, commands),
            _ => {}
        }
    }

    fn enter(self, step: Step) {
        self.playing.set(Some(step));
        scroll_to(step.panel_id());
    }

    fn stop(self, step: Step, commands: Commands) {
        self.playing.set(None);
        commands.say(format!(
            "The story stopped at its {} step; the steps before it are kept.",
            step.title()
        ));
    }
}

/// Brings the panel `id` into view (smoothly, by the page's CSS, unless the user asked for
/// reduced motion).
fn scroll_to(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        element.scroll_into_view();
    }
}

/// How far a step has come on the page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Progress {
    Waiting,
    Running,
    Done,
}

fn progress_of(step: Step, page: PageState) -> Progress {
    use super::extrapolate::ExtrapolateJob;
    let (running, done) = match step {
        Step::Simulate => (
            page.simulation.running.get(),
            page.simulation.trajectory.with(Option::is_some),
        ),
        Step::Learn => (
            page.learn.training.get(),
            page.learn.model.with(Option::is_some),
        ),
        Step::Discover => (
            page.discover.running.get(),
            page.discover.points.with(|p| !p.is_empty()),
        ),
        Step::Extrapolate => (
            page.extrapolate.running.get() != ExtrapolateJob::Idle,
            page.extrapolate.side_summary.with(Option::is_some)
                || page.extrapolate.sweep.with(|s| !s.is_empty()),
        ),
    };
    match (running, done) {
        (true, _) => Progress::Running,
        (false, true) => Progress::Done,
        (false, false) => Progress::Waiting,
    }
}

/// The stepper: the four steps with how far each has come, links to their panels, and the
/// button that plays the story.
#[component]
pub fn StoryBar(page: PageState, story: Story) -> impl IntoView {
    let steps = Step::ALL
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let progress = move || progress_of(step, page);
            let state = move || match progress() {
                Progress::Waiting => "waiting",
                Progress::Running => "running",
                Progress::Done => "done",
            };
            let mark = move || match progress() {
                Progress::Waiting => (i + 1).to_string(),
                Progress::Running => "…".into(),
                Progress::Done => "✓".into(),
            };
            view! {
                <li
                    data-state=state
                    aria-current=move || (story.playing.get() == Some(step)).then_some("step")
                >
                    <a href=format!("#{}", step.panel_id())>
                        <span class="mark" aria-hidden="true">
                            {mark}
                        </span>
                        <strong>{step.title()}</strong>
                        <span class="summary">{step.summary()}</span>
                        <span class="visually-hidden">{move || format!(" ({})", state())}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="story" aria-label="The four steps" data-testid="story">
            <ol>{steps}</ol>
            <div class="story-play">
                <button
                    class="primary"
                    data-testid="story-play"
                    on:click=move |_| story.start(page)
                >
                    "▶ Run the classroom story"
                </button>
                <span class="small" role="status" data-testid="story-status">
                    {move || match (story.playing.get(), story.finished.get()) {
                        (Some(step), _) => format!("Playing: {}…", step.title()),
                        (None, true) => {
                            "The story ran to its end: scroll through the four steps.".into()
                        }
                        (None, false) => {
                            "Plays the four steps in order on the classroom preset (L = 12, \
                            T = 100)."
                                .into()
                        }
                    }}
                </span>
                <CopyLink />
            </div>
        </nav>
    }
}
