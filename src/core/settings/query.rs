//! Settings as the text of a link: `model=active-lattice&L=30&phi=0.1244&…`, read and written
//! through the table.
//!
//! Reading never fails as a whole: each malformed or out-of-range value is refused with a
//! sentence naming its key, and the value it would have had is kept, so a bad link still opens
//! a page with everything else it asked for.

use super::Settings;
use super::table::{SETTINGS, setting};

impl Settings {
    /// Reads settings from decoded key/value pairs (the last of a repeated key wins); returns
    /// them with one sentence per refused value.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Self, Vec<String>) {
        let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
        let get = |key: &str| pairs.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let mut problems: Vec<String> = pairs
            .iter()
            .filter(|(key, _)| setting(key).is_none())
            .map(|(key, _)| format!("The link's setting {key:?} is not known; it was ignored."))
            .collect();
        let mut settings = Settings::default();
        for entry in SETTINGS {
            if let Some(fit) = entry.fit {
                fit(&mut settings, &mut problems);
            }
            let (Some(raw), Some(before)) = (get(entry.key), (entry.write)(&settings)) else {
                // Not in the link, or not a setting of this model (`c` of an active lattice).
                continue;
            };
            if let Err(expected) = (entry.read)(&mut settings, raw) {
                problems.push(format!(
                    "The link's {}={raw:?} is not {expected}; using {before}.",
                    entry.key
                ));
            }
        }
        (settings, problems)
    }

    /// Reads settings from a raw query string such as `?model=fa&L=10` (percent-decoding
    /// included).
    pub fn from_query(query: &str) -> (Self, Vec<String>) {
        let decoded: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (key, value) = part.split_once('=').unwrap_or((part, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        Self::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Every setting that applies, as key/value pairs in the table's order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        SETTINGS
            .iter()
            .filter_map(|entry| Some((entry.key, (entry.write)(self)?)))
            .collect()
    }

    /// The query string (without `?`) that restores these settings.
    pub fn to_query(&self) -> String {
        let pairs: Vec<String> = self
            .to_pairs()
            .into_iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        pairs.join("&")
    }

    /// Sets one setting by its key, as a link would; the error says what was expected.
    pub fn set(&mut self, key: &str, raw: &str) -> Result<(), String> {
        let entry = setting(key).ok_or_else(|| format!("{key:?} is not a setting"))?;
        if (entry.write)(self).is_none() {
            return Err(format!("{key} is not a setting of this model"));
        }
        (entry.read)(self, raw).map_err(|expected| format!("{key}={raw:?} is not {expected}"))
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::learner::{
        AttentionSink, Augmentation, LearnerConfig, LrSchedule, Mode, OptimizerKind, PositionInit,
    };
    use crate::core::presets::Preset;
    use crate::core::propagation::Integrator;
    use crate::core::settings::{BackendPreference, ExploreSettings, Settings as LinkSettings};

    #[test]
    fn settings_round_trip_through_the_query() {
        for simulation in [
            Preset::Paper.simulation(),
            Preset::Classroom.simulation(),
            Preset::FaTutorial.simulation(),
        ] {
            let settings = LinkSettings {
                simulation,
                learner: Preset::Classroom.learner(),
                explore: ExploreSettings {
                    tau: 0.0,
                    sweep: vec![0.25, 0.5],
                    ..ExploreSettings::default()
                },
                backend: BackendPreference::Cpu,
                embed: true,
                workers: 3,
            };
            let (back, problems) = LinkSettings::from_query(&format!("?{}", settings.to_query()));
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(back, settings);
        }
    }

    #[test]
    fn an_empty_link_gives_the_paper_preset() {
        let (settings, problems) = LinkSettings::from_query("");
        assert!(problems.is_empty());
        assert_eq!(settings, LinkSettings::default());
    }

    #[test]
    fn bad_values_are_refused_one_by_one_and_defaults_used() {
        let (settings, problems) =
            LinkSettings::from_query("?L=abc&phi=1.5&T=-3&seed=7&colour=red&backend=quantum");
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("L=\"abc\"")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("phi=\"1.5\"") && p.contains("strictly between 0 and 1"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("\"colour\" is not known"))
        );
        assert_eq!(settings.simulation.seed, 7);
        assert_eq!(settings.simulation.t, Preset::Paper.simulation().t);
        assert_eq!(settings.simulation.model, Preset::Paper.simulation().model);
    }

    #[test]
    fn a_density_too_low_for_one_particle_falls_back_to_the_default_model() {
        let (settings, problems) = LinkSettings::from_query("?L=2&phi=0.01");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(settings.simulation.model, Preset::Paper.simulation().model);
    }

    #[test]
    fn a_time_too_long_to_record_is_refused_naming_the_limit() {
        // L = 256, phi = 0.5: N = 32768 particles, at most 13.2 jumps each per unit time.
        let (settings, problems) = LinkSettings::from_query("?L=256&phi=0.5&T=1000&seed=4");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("T=") && problems[0].contains("1e7 recorded jumps"),
            "{problems:?}"
        );
        let max_t = 1.0e7 / (32768.0 * 13.2);
        assert!(
            (settings.simulation.t - max_t).abs() < 1e-9,
            "{}",
            settings.simulation.t
        );
        assert!(settings.simulation.burn_in < settings.simulation.t);
        assert_eq!(settings.simulation.seed, 4);
        let (again, problems) = LinkSettings::from_query(&settings.to_query());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(again, settings);
    }

    #[test]
    fn learner_settings_round_trip_and_bad_ones_are_refused() {
        let mut settings = LinkSettings::default();
        settings.learner.mode = Mode::Mode2 { classes: 5 };
        settings.learner.hard_constraint = true;
        settings.learner.attention_sink = AttentionSink::Quiet;
        settings.learner.position_init = PositionInit::Random;
        settings.learner.lr_schedule = LrSchedule::WarmupCosine;
        settings.learner.optimizer = OptimizerKind::AdaBelief;
        settings.learner.augmentation = Augmentation::Translations;
        settings.learner.weight_decay = 0.05;
        settings.learner.dropout = 0.1;
        let (back, problems) = LinkSettings::from_query(&settings.to_query());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, settings);

        let (back, problems) = LinkSettings::from_query("sink=maybe&pos_init=periodic");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("sink") && problems[0].contains("learned, quiet, none"),
            "{problems:?}"
        );
        let default = LearnerConfig::default();
        assert_eq!(back.learner.attention_sink, default.attention_sink);
        assert_eq!(back.learner.position_init, PositionInit::Periodic);

        let (back, problems) = LinkSettings::from_query("mode=3&lr=-1&d_model=30&heads=4");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("mode=\"3\"")));
        assert!(problems.iter().any(|p| p.contains("heads")), "{problems:?}");
        // heads is refused alone: d_model = 30 stays, with 1 head (4 does not divide 30).
        assert_eq!((back.learner.d_model, back.learner.heads), (30, 1));
        assert_eq!(back.learner.mode, default.mode);
        back.learner.validate().unwrap();

        // A value past the core's range is refused for its key alone, naming the key.
        let (_, problems) = LinkSettings::from_query("dropout=0.95");
        assert!(
            problems.len() == 1 && problems[0].contains("dropout"),
            "{problems:?}"
        );

        let (back, problems) = LinkSettings::from_query("segment=70000&epochs=7");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("segment") && problems[0].contains("65536"),
            "{problems:?}"
        );
        assert_eq!(back.learner.segment_len, default.segment_len);
        assert_eq!(back.learner.epochs, 7);
    }

    #[test]
    fn bad_explore_settings_are_refused() {
        let (back, problems) =
            LinkSettings::from_query("?sweep=0.2,abc&replicas=0&tau=-1&x_T=20&x_burn_in=30");
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("sweep")));
        assert_eq!(back.explore.sweep, ExploreSettings::default().sweep);
        assert_eq!(back.explore.t, 20.0);
        assert_eq!(back.explore.burn_in, 10.0);
        assert_eq!(back.explore.integrator(), Integrator::TauLeap { tau: 0.01 });
    }

    #[test]
    fn percent_encoding_is_decoded() {
        assert_eq!(percent_decode("a%20b+c%3D"), "a b c=");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
