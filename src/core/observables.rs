//! Observables of the lattice active-matter model (SPEC section 6) and their time averages.

use crate::core::ctmc::Engine;
use crate::core::model::{ActiveLattice, Direction};
use serde::{Deserialize, Serialize};

/// f4: the fraction of particles whose four neighbouring sites are all occupied (0 if N = 0).
pub fn f4(model: &ActiveLattice) -> f64 {
    let n = model.num_particles();
    if n == 0 {
        return 0.0;
    }
    let surrounded = (0..n)
        .filter(|&i| {
            let (x, y, _) = model.particle(i);
            Direction::ALL.iter().all(|&d| {
                let (nx, ny) = model.neighbour(x, y, d);
                model.is_occupied(nx, ny)
            })
        })
        .count();
    surrounded as f64 / n as f64
}

/// Clusters of one configuration: connected components of occupied sites under
/// nearest-neighbour adjacency with periodic boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clusters {
    /// n_c: the number of clusters.
    pub count: usize,
    /// Number of particles in the largest cluster.
    pub largest: usize,
}

impl Clusters {
    /// <s> = N / n_c for this configuration (0 if there are no particles).
    pub fn mean_size(&self, n: usize) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            n as f64 / self.count as f64
        }
    }

    /// The largest cluster's fraction of N (0 if there are no particles).
    pub fn largest_fraction(&self, n: usize) -> f64 {
        if n == 0 {
            0.0
        } else {
            self.largest as f64 / n as f64
        }
    }
}

/// Finds the clusters of a configuration by depth-first search over particles.
pub fn clusters(model: &ActiveLattice) -> Clusters {
    let n = model.num_particles();
    let mut seen = vec![false; n];
    let mut stack = Vec::new();
    let mut result = Clusters {
        count: 0,
        largest: 0,
    };
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut size = 0;
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y, _) = model.particle(i);
            for d in Direction::ALL {
                let (nx, ny) = model.neighbour(x, y, d);
                if let Some(j) = model.occupant(nx, ny)
                    && !seen[j]
                {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        result.count += 1;
        result.largest = result.largest.max(size);
    }
    result
}

/// The observables the page and the CLI show, listed once (SPEC section 6): a new one is a
/// variant here, and the compiler points at each place that must say how to compute it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observable {
    /// f4: the fraction of particles with all four neighbour sites occupied.
    F4,
    /// The variance of f4 over time.
    VarF4,
    /// N times the variance of f4: the fluctuation that peaks at the phase separation.
    NVarF4,
    /// n_c: the number of clusters.
    Clusters,
    /// ⟨s⟩ = N / n_c: the mean cluster size.
    MeanSize,
    /// The largest cluster's fraction of N.
    Largest,
}

impl Observable {
    pub const ALL: [Observable; 6] = [
        Observable::F4,
        Observable::VarF4,
        Observable::NVarF4,
        Observable::Clusters,
        Observable::MeanSize,
        Observable::Largest,
    ];

    /// Its name in the CLI's JSON output and in the page's test ids.
    pub fn key(self) -> &'static str {
        match self {
            Observable::F4 => "f4",
            Observable::VarF4 => "var_f4",
            Observable::NVarF4 => "N_var_f4",
            Observable::Clusters => "n_c",
            Observable::MeanSize => "mean_s",
            Observable::Largest => "largest",
        }
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            Observable::F4 => "f4",
            Observable::VarF4 => "var(f4)",
            Observable::NVarF4 => "N var(f4)",
            Observable::Clusters => "clusters n_c",
            Observable::MeanSize => "mean size ⟨s⟩",
            Observable::Largest => "largest / N",
        }
    }

    /// Decimal places worth showing.
    pub fn digits(self) -> usize {
        match self {
            Observable::F4 | Observable::NVarF4 => 4,
            Observable::VarF4 => 6,
            Observable::Clusters => 2,
            Observable::MeanSize | Observable::Largest => 3,
        }
    }

    /// Whether one configuration has a value of it (the fluctuations need a time series).
    pub fn of_one_configuration(self) -> bool {
        !matches!(self, Observable::VarF4 | Observable::NVarF4)
    }

    /// Its value in one configuration; `None` for the fluctuations, which need a time series.
    pub fn of_snapshot(self, s: &Snapshot) -> Option<f64> {
        match self {
            Observable::F4 => Some(s.f4),
            Observable::VarF4 | Observable::NVarF4 => None,
            Observable::Clusters => Some(s.n_c as f64),
            Observable::MeanSize => Some(s.mean_s),
            Observable::Largest => Some(s.largest),
        }
    }

    /// Its time average (or, for the fluctuations, its variance over time).
    pub fn of_summary(self, s: &ObservableSummary) -> f64 {
        match self {
            Observable::F4 => s.f4,
            Observable::VarF4 => s.var_f4,
            Observable::NVarF4 => s.n_var_f4,
            Observable::Clusters => s.n_c,
            Observable::MeanSize => s.mean_s,
            Observable::Largest => s.largest,
        }
    }
}

/// The observables of one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// f4.
    pub f4: f64,
    /// n_c: the number of clusters.
    pub n_c: usize,
    /// N / n_c.
    pub mean_s: f64,
    /// The largest cluster's fraction of N.
    pub largest: f64,
}

/// f4 and the cluster statistics of the model's current configuration.
pub fn snapshot(model: &ActiveLattice) -> Snapshot {
    let n = model.num_particles();
    let c = clusters(model);
    Snapshot {
        f4: f4(model),
        n_c: c.count,
        mean_s: c.mean_size(n),
        largest: c.largest_fraction(n),
    }
}

/// Time averages of the observables over equally spaced snapshots (SPEC section 6).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ObservableSummary {
    /// Number of snapshots averaged.
    pub snapshots: usize,
    /// Mean of f4.
    pub f4: f64,
    /// Variance of f4 over the snapshots (population variance, divisor = snapshots).
    pub var_f4: f64,
    /// N var(f4).
    pub n_var_f4: f64,
    /// Mean number of clusters n_c.
    pub n_c: f64,
    /// Mean of N / n_c.
    pub mean_s: f64,
    /// Mean of the largest cluster's fraction of N.
    pub largest: f64,
}

/// Takes snapshots of a running [`Engine`] at times `burn_in`, `burn_in + dt_sample`, ... and
/// accumulates the means of section 6 (Welford's update for the variance of f4).
#[derive(Debug, Clone)]
pub struct Sampler {
    burn_in: f64,
    dt_sample: f64,
    next_time: f64,
    snapshots: usize,
    n: usize,
    mean_f4: f64,
    m2_f4: f64,
    sum_n_c: f64,
    sum_mean_s: f64,
    sum_largest: f64,
    last: Option<Snapshot>,
}

impl Sampler {
    /// A sampler whose first snapshot is at `burn_in`, then every `dt_sample` (> 0).
    pub fn new(burn_in: f64, dt_sample: f64) -> Self {
        assert!(dt_sample > 0.0, "dt_sample must be positive");
        Self {
            burn_in,
            dt_sample,
            next_time: burn_in,
            snapshots: 0,
            n: 0,
            mean_f4: 0.0,
            m2_f4: 0.0,
            sum_n_c: 0.0,
            sum_mean_s: 0.0,
            sum_largest: 0.0,
            last: None,
        }
    }

    /// Records one snapshot of `model` and returns it.
    pub fn record(&mut self, model: &ActiveLattice) -> Snapshot {
        let shot = snapshot(model);
        self.n = model.num_particles();
        self.snapshots += 1;
        let delta = shot.f4 - self.mean_f4;
        self.mean_f4 += delta / self.snapshots as f64;
        self.m2_f4 += delta * (shot.f4 - self.mean_f4);
        self.sum_n_c += shot.n_c as f64;
        self.sum_mean_s += shot.mean_s;
        self.sum_largest += shot.largest;
        self.last = Some(shot);
        shot
    }

    /// The most recent snapshot, if any.
    pub fn last(&self) -> Option<Snapshot> {
        self.last
    }

    /// Runs `engine` to time `until`, taking every snapshot that falls in between. Can be called
    /// repeatedly with increasing `until` (e.g. once per animation frame).
    pub fn run(&mut self, engine: &mut Engine<ActiveLattice>, until: f64) {
        while self.next_time <= until {
            engine.advance_to(self.next_time);
            self.record_due(engine.model());
        }
        engine.advance_to(until);
    }

    /// The time of the next snapshot.
    pub fn next_time(&self) -> f64 {
        self.next_time
    }

    /// Takes every snapshot due up to time `until` from `model`, which must hold the
    /// configuration of the whole stretch from the previous call to `until` (for loops that
    /// know when their configuration changes, such as learned-dynamics propagation). Returns the
    /// snapshots taken.
    pub fn record_until(&mut self, model: &ActiveLattice, until: f64) -> usize {
        let before = self.snapshots;
        while self.next_time <= until {
            self.record_due(model);
        }
        self.snapshots - before
    }

    fn record_due(&mut self, model: &ActiveLattice) {
        self.record(model);
        self.next_time = self.burn_in + self.snapshots as f64 * self.dt_sample;
    }

    /// The means so far (all zero before the first snapshot).
    pub fn summary(&self) -> ObservableSummary {
        let s = self.snapshots.max(1) as f64;
        let var_f4 = self.m2_f4 / s;
        ObservableSummary {
            snapshots: self.snapshots,
            f4: self.mean_f4,
            var_f4,
            n_var_f4: self.n as f64 * var_f4,
            n_c: self.sum_n_c / s,
            mean_s: self.sum_mean_s / s,
            largest: self.sum_largest / s,
        }
    }
}
