//! Typed messages between the page (UI) and its Web Worker.
//!
//! The page sends [`Request`]s; the worker answers with [`Event`]s. Both cross the worker
//! boundary as structured-clone values through serde, so a message that does not parse is an
//! error the receiver reports, never a silent drop.

use crate::core::compute::BackendInfo;
use serde::{Deserialize, Serialize};

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    /// Choose the compute backend; `prefer_gpu: false` forces the CPU.
    Init { prefer_gpu: bool },
    /// Run the smoke training (a tiny network, Adam) on the chosen backend.
    SmokeTrain { steps: usize },
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The worker's message handler is installed: requests sent from now on are received.
    Started,
    /// The worker has chosen its backend and is ready for work.
    Ready { backend: BackendInfo },
    /// One step of the smoke training finished with this loss.
    SmokeStep { step: usize, loss: f32 },
    /// The smoke training finished.
    SmokeDone { losses: Vec<f32>, seconds: f64 },
    /// A request failed; the message is for the user.
    Error { message: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::compute::BackendKind;

    #[test]
    fn messages_round_trip_through_json() {
        let events = vec![
            Event::Ready {
                backend: BackendInfo {
                    kind: BackendKind::Gpu,
                    adapter: Some("SwiftShader".into()),
                    reason: "found".into(),
                },
            },
            Event::SmokeStep {
                step: 3,
                loss: 0.25,
            },
            Event::Error {
                message: "bad".into(),
            },
        ];
        for event in events {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        }
        let request = Request::SmokeTrain { steps: 5 };
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.contains("\"type\":\"SmokeTrain\""));
        assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), request);
    }
}
