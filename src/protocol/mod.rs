//! What the page and its worker share: the typed messages between them ([`messages`]) and the
//! settings a link carries ([`link`]).

pub mod link;
pub mod messages;

pub use link::{BackendPreference, LinkSettings, SimulationSettings};
pub use messages::{BackendRequest, Event, Request};
