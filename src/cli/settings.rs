//! `jumpformer settings`: every setting of a run from the table the page's link, its forms and
//! `--set` read: its key, the form that shows it, its default and what it does.

use crate::core::settings::{Group, SETTINGS, Settings};
use serde_json::json;

/// Arguments of `jumpformer settings`.
#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// One JSON object per setting instead of a table.
    #[arg(long)]
    json: bool,
}

fn group_name(group: Group) -> &'static str {
    match group {
        Group::General => "general",
        Group::Simulation => "simulate",
        Group::Learner => "learn",
        Group::Discover => "discover",
        Group::Extrapolate => "extrapolate",
    }
}

pub fn run(args: &SettingsArgs) {
    let defaults = Settings::default();
    let fa = Settings::from_pairs([("model", "fa")]).0;
    for setting in SETTINGS {
        let default = (setting.write)(&defaults)
            .or_else(|| (setting.write)(&fa))
            .unwrap_or_default();
        if args.json {
            println!(
                "{}",
                json!({
                    "key": setting.key,
                    "group": group_name(setting.group),
                    "label": setting.label,
                    "default": default,
                    "help": setting.help,
                })
            );
        } else {
            println!(
                "{:<12} {:<12} {:<26} {}",
                setting.key,
                group_name(setting.group),
                default,
                setting.help
            );
        }
    }
}
