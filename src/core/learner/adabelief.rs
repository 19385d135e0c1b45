//! AdaBelief (Zhuang et al., NeurIPS 2020), the optimiser Casert et al. trained with: Adam whose
//! second moment tracks the gradient's *surprise* (g − m)² instead of g², so it takes large
//! steps where the gradient agrees with its running mean and small ones where it is noisy.
//!
//! ```text
//! m_t = β1 m_{t-1} + (1 − β1) g_t
//! s_t = β2 s_{t-1} + (1 − β2) (g_t − m_t)² + ε
//! θ_t = θ_{t-1} − lr · (m_t / (1 − β1^t)) / (sqrt(s_t / (1 − β2^t)) + ε)
//! ```
//!
//! Weight decay, when asked for, is decoupled as in AdamW: θ ← θ (1 − lr λ) before the step.
//! burn has no AdaBelief, so it plugs into burn's optimiser through [`Optimizer`].

use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{LearningRate, ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

/// AdaBelief's constants: the paper's β1 = 0.9, β2 = 0.999 and its authors' ε = 1e-16.
#[derive(Debug, Clone)]
pub struct AdaBelief {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    weight_decay: f32,
}

impl AdaBelief {
    /// AdaBelief with decoupled weight decay `weight_decay` (0 for none).
    pub fn new(weight_decay: f32) -> Self {
        Self {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-16,
            weight_decay,
        }
    }

    /// As burn's type-erased optimiser, with gradient clipping when `clipping` is set (as burn's
    /// own optimiser configs take it).
    pub fn init(self, clipping: Option<GradientClippingConfig>) -> ModuleOptimizer {
        let optimizer = ModuleOptimizer::from(self);
        match clipping {
            Some(config) => optimizer.with_grad_clipping(config.init()),
            None => optimizer,
        }
    }
}

/// One parameter tensor's AdaBelief state: the step count and the two running moments.
#[derive(Clone)]
pub struct AdaBeliefState<const D: usize> {
    time: usize,
    moment: Tensor<D>,
    belief: Tensor<D>,
}

impl Optimizer for AdaBelief {
    type State<const D: usize> = AdaBeliefState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (time, moment, belief) = match state {
            Some(s) => (s.time + 1, s.moment, s.belief),
            None => (1, grad.zeros_like(), grad.zeros_like()),
        };
        let moment = moment
            .mul_scalar(self.beta_1)
            .add(grad.clone().mul_scalar(1.0 - self.beta_1));
        let surprise = grad.sub(moment.clone()).square();
        let belief = belief
            .mul_scalar(self.beta_2)
            .add(surprise.mul_scalar(1.0 - self.beta_2))
            .add_scalar(self.epsilon);
        let bias_1 = 1.0 - self.beta_1.powi(time as i32);
        let bias_2 = 1.0 - self.beta_2.powi(time as i32);
        let step = moment.clone().div_scalar(bias_1).div(
            belief
                .clone()
                .div_scalar(bias_2)
                .sqrt()
                .add_scalar(self.epsilon),
        );
        let decayed = if self.weight_decay > 0.0 {
            tensor.mul_scalar(1.0 - lr * self.weight_decay as f64)
        } else {
            tensor
        };
        let state = AdaBeliefState {
            time,
            moment,
            belief,
        };
        (decayed - step.mul_scalar(lr), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AdaBeliefState {
            time: state.time,
            moment: state.moment.to_device(device),
            belief: state.belief.to_device(device),
        }
    }
}

impl<const D: usize> RecordState for AdaBeliefState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_scalar(prefix, "time", From::from(self.time));
        out.push_tensor(prefix, "moment", self.moment.clone().into_data());
        out.push_tensor(prefix, "belief", self.belief.clone().into_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let time = usize::try_from(src.take_scalar(prefix, "time")?).ok()?;
        let moment = Tensor::from_data(src.take_tensor(prefix, "moment")?, device);
        let belief = Tensor::from_data(src.take_tensor(prefix, "belief")?, device);
        Some(Self {
            time,
            moment,
            belief,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::compute::cpu_device;

    fn values(tensor: Tensor<1>) -> Vec<f32> {
        tensor
            .into_data()
            .try_into_vec_as::<f32>()
            .expect("f32 data")
    }

    /// The update of the formulas above, by hand, for a few steps of one scalar parameter.
    #[test]
    fn steps_follow_the_formulas() {
        let device = cpu_device();
        let optimizer = AdaBelief::new(0.0);
        let grads = [0.5f32, -0.2, 0.4];
        let (mut theta, mut m, mut s) = (1.0f64, 0.0f64, 0.0f64);
        let mut tensor = Tensor::<1>::from_floats([1.0], &device);
        let mut state = None;
        for (t, &g) in grads.iter().enumerate() {
            let g64 = g as f64;
            m = 0.9 * m + 0.1 * g64;
            s = 0.999 * s + 0.001 * (g64 - m).powi(2) + 1e-16;
            let m_hat = m / (1.0 - 0.9f64.powi(t as i32 + 1));
            let s_hat = s / (1.0 - 0.999f64.powi(t as i32 + 1));
            theta -= 1e-2 * m_hat / (s_hat.sqrt() + 1e-16);
            let grad = Tensor::<1>::from_floats([g], &device);
            let (next, next_state) = optimizer.step(1e-2, tensor, grad, state);
            tensor = next;
            state = next_state;
            let got = values(tensor.clone())[0] as f64;
            assert!((got - theta).abs() < 1e-5, "step {t}: {got} vs {theta}");
        }
        assert_eq!(state.map(|s| s.time), Some(3));
    }

    /// A state flattened and read back gives the same next step.
    #[test]
    fn the_state_records_and_restores() {
        let device = cpu_device();
        let optimizer = AdaBelief::new(0.1);
        let tensor = Tensor::<1>::from_floats([1.0, -2.0], &device);
        let grad = Tensor::<1>::from_floats([0.3, 0.1], &device);
        let (tensor, state) = optimizer.step(1e-3, tensor, grad.clone(), None);
        let state = state.expect("a state");
        let mut sink = StateSink::default();
        state.state_flatten("p", &mut sink);
        let mut source = StateSource::new(sink.scalars.into_iter().collect());
        for (name, data) in sink.tensors {
            source.insert_tensor(name, data);
        }
        let restored = AdaBeliefState::<1>::state_unflatten("p", &mut source, &device);
        let restored = restored.expect("every leaf is there");
        assert_eq!(restored.time, 1);
        let (a, _) = optimizer.step(1e-3, tensor.clone(), grad.clone(), Some(state));
        let (b, _) = optimizer.step(1e-3, tensor, grad, Some(restored));
        assert_eq!(values(a), values(b));
    }
}
