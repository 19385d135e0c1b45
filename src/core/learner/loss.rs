//! The path log-likelihood of a batch of configurations under given rates (SPEC Eq. 1):
//!
//! ```text
//! U = sum_k [ ln W(observed move out of C_k), if any ]  -  dt_k R(C_k),
//! ```
//!
//! with R(C_k) the sum of the rates of all candidate moves of all tokens (forbidden moves
//! included unless a hard-constraint mask zeroes them). The same formula serves the network
//! (rates from [`RateNetwork`](super::network::RateNetwork)) and any known rates (tests).

use super::batch::Batch;
use burn::tensor::{Bool, Device, Int, Tensor, TensorData};

/// A [`Batch`] on a device: network inputs and the targets of the likelihood.
#[derive(Debug, Clone)]
pub struct BatchTensors {
    /// One `[configs, tokens]` index tensor per embedding table.
    pub features: Vec<Tensor<2, Int>>,
    /// `[configs, tokens, moves]`: 1 where the move is possible, 0 where not (if requested).
    pub allowed: Option<Tensor<3>>,
    /// `[configs, 1]`: token * M + move of the observed jump (0 where there is none).
    pub observed_index: Tensor<2, Int>,
    /// `[configs]`: true where a jump is observed (all but the trajectory's last configuration).
    pub has_observed: Tensor<1, Bool>,
    /// `[configs]`: time spent in each configuration.
    pub dt: Tensor<1>,
}

impl BatchTensors {
    /// Uploads `batch`; the allowed-move mask only if `with_allowed` (it must have been built).
    pub fn new(batch: &Batch, with_allowed: bool, device: &Device) -> Self {
        let b = batch.num_configs();
        let (n, m) = (batch.num_tokens, batch.moves_per_token);
        let features = batch
            .features
            .iter()
            .map(|f| Tensor::<2, Int>::from_data(TensorData::new(f.clone(), [b, n]), device))
            .collect();
        let allowed = with_allowed.then(|| {
            assert_eq!(
                batch.allowed.len(),
                b * n * m,
                "the batch has no allowed-move mask"
            );
            let mask: Vec<f32> = batch.allowed.iter().map(|&a| a as u8 as f32).collect();
            Tensor::<3>::from_data(TensorData::new(mask, [b, n, m]), device)
        });
        let index: Vec<i32> = batch
            .observed
            .iter()
            .map(|o| o.map_or(0, |(t, mv)| t as i32 * m as i32 + mv as i32))
            .collect();
        let has: Vec<bool> = batch.observed.iter().map(Option::is_some).collect();
        let dt: Vec<f32> = batch.dt.iter().map(|&d| d as f32).collect();
        Self {
            features,
            allowed,
            observed_index: Tensor::from_data(TensorData::new(index, [b, 1]), device),
            has_observed: Tensor::from_data(TensorData::new(has, [b]), device),
            dt: Tensor::from_data(TensorData::new(dt, [b]), device),
        }
    }
}

/// U_k of every configuration of the batch, `[configs]`, from `[configs, tokens, moves]` tensors
/// of log-rates (used only at the observed moves) and rates (summed into R).
pub fn config_log_likelihoods(
    log_rates: Tensor<3>,
    rates: Tensor<3>,
    observed_index: Tensor<2, Int>,
    has_observed: Tensor<1, Bool>,
    dt: Tensor<1>,
) -> Tensor<1> {
    let [b, n, m] = log_rates.dims();
    let observed: Tensor<1> = log_rates
        .reshape([b, n * m])
        .gather(1, observed_index)
        .reshape([b]);
    let jump_term = Tensor::<1>::zeros([b], &dt.device()).mask_where(has_observed, observed);
    let total_rate: Tensor<1> = rates.sum_dim(2).sum_dim(1).reshape([b]);
    jump_term - dt * total_rate
}

/// U of the batch (a scalar tensor) under the given log-rates and rates.
pub fn batch_log_likelihood(
    log_rates: Tensor<3>,
    rates: Tensor<3>,
    batch: &BatchTensors,
) -> Tensor<1> {
    config_log_likelihoods(
        log_rates,
        rates,
        batch.observed_index.clone(),
        batch.has_observed.clone(),
        batch.dt.clone(),
    )
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// U of a hand-made batch with known rates, against the formula evaluated by hand.
    #[test]
    fn formula_on_known_rates() {
        let device = Device::flex();
        // Two configurations, two tokens, two moves each.
        let batch = Batch {
            num_tokens: 2,
            moves_per_token: 2,
            features: vec![vec![0, 0, 0, 0]],
            observed: vec![Some((1, 0)), None],
            dt: vec![0.5, 0.25],
            allowed: vec![],
        };
        let t = BatchTensors::new(&batch, false, &device);
        let rates = [1.0f32, 2.0, 3.0, 4.0, 0.5, 0.5, 0.5, 1.5];
        let rates_t = Tensor::<3>::from_data(TensorData::new(rates.to_vec(), [2, 2, 2]), &device);
        let u = batch_log_likelihood(rates_t.clone().log(), rates_t, &t).into_scalar::<f32>();
        let expected = 3.0f32.ln() - 0.5 * 10.0 - 0.25 * 3.0;
        assert!((u - expected).abs() < 1e-5, "{u} vs {expected}");
    }
}
