//! Observables of SPEC section 6 on hand-made configurations, and the snapshot sampler.

use jumpformer::core::ctmc::Engine;
use jumpformer::core::model::{
    ActiveLattice, ActiveLatticeRates, ActiveLatticeSpec, Dynamics, ParticleConfig,
};
use jumpformer::core::observables::{Sampler, clusters, f4};
use jumpformer::core::rng::Rng;

fn lattice(l: usize, sites: &[(u16, u16)]) -> ActiveLattice {
    let config = ParticleConfig {
        x: sites.iter().map(|s| s.0).collect(),
        y: sites.iter().map(|s| s.1).collect(),
        o: vec![0; sites.len()],
    };
    ActiveLattice::new(l, ActiveLatticeRates::PAPER, config).unwrap()
}

#[test]
fn ctmc_f4_counts_fully_surrounded_particles() {
    // A plus: only the centre has all four neighbours occupied.
    let plus = lattice(5, &[(2, 2), (1, 2), (3, 2), (2, 1), (2, 3)]);
    assert_eq!(f4(&plus), 1.0 / 5.0);
    // The same plus centred on a corner, wrapped around both periodic boundaries.
    let wrapped = lattice(5, &[(0, 0), (4, 0), (1, 0), (0, 4), (0, 1)]);
    assert_eq!(f4(&wrapped), 1.0 / 5.0);
    // A 2 x 2 block: nobody is surrounded.
    assert_eq!(f4(&lattice(5, &[(0, 0), (1, 0), (0, 1), (1, 1)])), 0.0);
    // A full 3 x 3 lattice: everyone is surrounded.
    let all: Vec<_> = (0..3).flat_map(|x| (0..3).map(move |y| (x, y))).collect();
    assert_eq!(f4(&lattice(3, &all)), 1.0);
}

#[test]
fn ctmc_clusters_join_across_periodic_boundaries() {
    let isolated = lattice(6, &[(0, 0), (2, 2), (4, 4)]);
    let c = clusters(&isolated);
    assert_eq!((c.count, c.largest), (3, 1));
    assert_eq!(c.mean_size(3), 1.0);

    // (0, 1) and (5, 1) touch through x = 0 | 5; (3, 0) and (3, 5) through y; (3, 3) is alone.
    let wrapped = lattice(6, &[(0, 1), (5, 1), (3, 0), (3, 5), (3, 3)]);
    let c = clusters(&wrapped);
    assert_eq!((c.count, c.largest), (3, 2));
    assert_eq!(c.mean_size(5), 5.0 / 3.0);
    assert_eq!(c.largest_fraction(5), 0.4);

    // Diagonal neighbours are not adjacent.
    let diagonal = lattice(6, &[(1, 1), (2, 2)]);
    assert_eq!(clusters(&diagonal).count, 2);

    // A ring around the torus in x: one cluster of 6.
    let ring: Vec<_> = (0..6).map(|x| (x, 2)).collect();
    let c = clusters(&lattice(6, &ring));
    assert_eq!((c.count, c.largest), (1, 6));
}

#[test]
fn ctmc_sampler_takes_equally_spaced_snapshots_after_burn_in() {
    let mut rng = Rng::new(3);
    let model = ActiveLatticeSpec::paper(0.3).build(&mut rng).unwrap();
    let mut engine = Engine::new(model, rng);
    let mut sampler = Sampler::new(2.0, 0.5);
    // Snapshots at 2.0, 2.5, ..., 10.0: 17 of them, whatever the framing.
    for frame in 1..=10 {
        sampler.run(&mut engine, frame as f64);
    }
    let s = sampler.summary();
    assert_eq!(s.snapshots, 17);
    assert_eq!(engine.time(), 10.0);
    assert!((0.0..=1.0).contains(&s.f4) && (0.0..=1.0).contains(&s.largest));
    assert!(s.var_f4 >= 0.0 && (s.n_var_f4 - 270.0 * s.var_f4).abs() < 1e-12);
    assert!(s.n_c >= 1.0 && (s.mean_s - 270.0 / s.n_c).abs() < 270.0);
}
