//! `jumpformer scan FILE --classes 1..6`: trains Mode 2 for every number of classes N_W in a
//! range, from scratch or, with `--warm-start MODEL`, from that model's embeddings and encoder
//! (as the page's Discover view starts from the network trained in Learn), and reports the best
//! U/T of each, to find the plateau (SPEC section 4).

use super::train::{
    LearnerArgs, TrainCliError, describe_membership, epoch_seconds, load, membership,
};
use crate::core::learner::{EpochReport, LearnerConfig, Mode};
use crate::core::plateau::{NOISE_STANDARD_ERRORS, ScanScore, plateau};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// A trajectory file (SPEC section 7).
    file: PathBuf,
    /// The numbers of classes N_W to train: "a..b" (inclusive) or a single number.
    #[arg(long, value_parser = parse_classes)]
    classes: ClassRange,
    #[command(flatten)]
    learner: LearnerArgs,
    /// Print one JSON object per N_W instead of text, and, when more than one N_W was scanned,
    /// a last one with the plateau (`{"plateau": ...}`).
    #[arg(long)]
    json: bool,
}

/// An inclusive range of class counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassRange {
    pub first: usize,
    pub last: usize,
}

/// Parses "a..b", "a..=b" (both inclusive) or "a".
fn parse_classes(text: &str) -> Result<ClassRange, String> {
    let number = |s: &str| -> Result<usize, String> {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("{s:?} is not a whole number"))
    };
    let (first, last) = match text.split_once("..") {
        Some((a, b)) => (number(a)?, number(b.strip_prefix('=').unwrap_or(b))?),
        None => {
            let n = number(text)?;
            (n, n)
        }
    };
    let max = LearnerConfig::MAX_CLASSES;
    if first < 1 || last > max {
        return Err(format!("class counts must be from 1 to {max}"));
    }
    if first > last {
        return Err(format!("the range {first}..{last} is empty"));
    }
    Ok(ClassRange { first, last })
}

pub fn run(args: &ScanArgs) -> Result<(), TrainCliError> {
    // Check the settings for every N_W before any training.
    let configs = (args.classes.first..=args.classes.last)
        .map(|classes| args.learner.config(Mode::Mode2 { classes }))
        .collect::<Result<Vec<_>, _>>()?;
    let loaded = load(&args.file)?;
    let held_out = args.learner.validation()?;
    let (device, info) = args.learner.device();
    if !args.json {
        println!(
            "{}: {} trajectory, K = {} jumps, T = {}; N_W = {}..{}, {} epochs each; backend {}",
            args.file.display(),
            loaded.kind,
            loaded.num_jumps,
            loaded.total_time,
            args.classes.first,
            args.classes.last,
            configs[0].epochs,
            info.label()
        );
    }
    // Each N_W's report at its best epoch, for the plateau.
    let mut bests: Vec<(usize, EpochReport)> = Vec::new();
    for config in configs {
        let classes = config.mode.classes();
        let epochs = config.epochs;
        let mut trainer =
            args.learner
                .trainer(config, &loaded, held_out.as_ref(), device.clone(), &info)?;
        // The best epoch: by held-out U/T when there is a held-out trajectory, else by training
        // U/T.
        let judged = |r: &EpochReport| r.val_u_per_t.unwrap_or(r.u_per_t);
        let mut best: Option<EpochReport> = None;
        let mut seconds = 0.0;
        let mut warnings = Vec::new();
        for _ in 0..epochs {
            let mut report = pollster::block_on(trainer.run_epoch())?;
            seconds += epoch_seconds(&report);
            warnings.append(&mut report.warnings);
            // NaN never becomes the best; a first NaN is replaced by any number.
            let better = best
                .as_ref()
                .is_none_or(|b| judged(&report) > judged(b) || judged(b).is_nan());
            if better {
                best = Some(report);
            }
        }
        let best = best.expect("at least one epoch");
        bests.push((classes, best.clone()));
        let EpochReport {
            epoch: best_epoch,
            u_per_t,
            val_u_per_t,
            u_per_t_blocks,
            val_u_per_t_blocks,
            class_rates,
            translation_spread,
            ..
        } = best;
        let bound = |l: &super::train::Loaded| l.kinds.map(|k| k.best_u_per_t(classes));
        let judged_on = held_out.as_ref().unwrap_or(&loaded);
        let membership = membership(&trainer.kept(), judged_on)?;
        if args.json {
            let mut line = json!({
                "classes": classes,
                "U_per_T": u_per_t,
                "exact_U_per_T": loaded.exact_u_per_t,
                "class_rates": class_rates,
                "best_epoch": best_epoch,
                "epochs": epochs,
                "seconds": seconds,
                "translation_spread": translation_spread,
            });
            if let Some(b) = bound(&loaded) {
                line["kind_bound_U_per_T"] = json!(b);
            }
            line["U_per_T_blocks"] = json!(u_per_t_blocks);
            if let Some(h) = &held_out {
                line["val_U_per_T"] = json!(val_u_per_t);
                line["val_exact_U_per_T"] = json!(h.exact_u_per_t);
                line["val_U_per_T_blocks"] = json!(val_u_per_t_blocks);
                if let Some(b) = bound(h) {
                    line["val_kind_bound_U_per_T"] = json!(b);
                }
            }
            if let Some(m) = &membership {
                line["membership"] = json!(m);
            }
            if !warnings.is_empty() {
                line["warnings"] = json!(warnings);
            }
            println!("{line}");
        } else {
            let exact = match loaded.exact_u_per_t {
                Some(e) => format!(" (exact {e:.6})"),
                None => String::new(),
            };
            let rates: Vec<String> = class_rates
                .unwrap_or_default()
                .iter()
                .map(|r| format!("{r:.4}"))
                .collect();
            let held = match (val_u_per_t, held_out.as_ref().and_then(|h| h.exact_u_per_t)) {
                (Some(v), Some(e)) => format!(", held-out {v:.6} (exact {e:.6})"),
                (Some(v), None) => format!(", held-out {v:.6}"),
                _ => String::new(),
            };
            let kind_bound = match bound(&loaded) {
                Some(b) => format!(", kind bound {b:.4}"),
                None => String::new(),
            };
            println!(
                "N_W = {classes}: best U/T = {u_per_t:.6}{exact}{held}{kind_bound} at epoch \
                 {best_epoch}/{epochs}, class rates [{}], {seconds:.2} s",
                rates.join(", ")
            );
            if let Some(m) = &membership {
                println!("{}", describe_membership(m, &judged_on.path));
            }
            for w in &warnings {
                println!("  warning: {w}");
            }
        }
    }
    let judged_on = if held_out.is_some() {
        "held-out"
    } else {
        "training"
    };
    report_plateau(&bests, judged_on, args.json);
    Ok(())
}

/// Prints where the curve of the judged U/T against N_W flattens, with each N_W's gap to the
/// best (see [`crate::core::plateau`]); nothing for a scan of one N_W.
fn report_plateau(bests: &[(usize, EpochReport)], judged_on: &str, json: bool) {
    let scores: Vec<ScanScore> = bests
        .iter()
        .map(|(classes, r)| {
            let held_out_blocks = r.val_u_per_t_blocks.as_deref().unwrap_or_default();
            ScanScore::judged(
                *classes,
                (r.u_per_t, &r.u_per_t_blocks),
                r.val_u_per_t.map(|u| (u, held_out_blocks)),
            )
        })
        .collect();
    let Some(found) = plateau(&scores) else {
        return;
    };
    if json {
        println!("{}", json!({ "plateau": found, "judged_on": judged_on }));
        return;
    }
    let noise = if found.blocks > 0 {
        format!(
            "{} standard errors from {} stretches",
            NOISE_STANDARD_ERRORS, found.blocks
        )
    } else {
        "no stretches to judge noise by".into()
    };
    println!(
        "plateau: N_W = {} (best {judged_on} U/T at N_W = {}; negligible below {:.4}; {noise})",
        found.classes, found.best_classes, found.negligible
    );
    for gap in &found.gaps {
        let se = gap
            .standard_error
            .map(|se| format!(" ± {se:.4}"))
            .unwrap_or_default();
        println!("  N_W = {}: {:.4}{se} below the best", gap.classes, gap.gap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_ranges_parse() {
        assert_eq!(parse_classes("1..6"), Ok(ClassRange { first: 1, last: 6 }));
        assert_eq!(parse_classes("2..=3"), Ok(ClassRange { first: 2, last: 3 }));
        assert_eq!(parse_classes("4"), Ok(ClassRange { first: 4, last: 4 }));
        assert!(parse_classes("0..2").is_err());
        assert!(parse_classes("3..2").is_err());
        assert!(parse_classes("1..99").is_err());
        assert!(parse_classes("a..2").is_err());
        assert!(parse_classes("").is_err());
    }
}
