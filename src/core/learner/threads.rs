//! Work shared among threads natively: independent items cut into contiguous shares, one
//! scoped thread per share, the results returned in share order (so sums over them do not
//! depend on scheduling).

use super::LearnerError;

/// `work` on each of up to `threads` contiguous shares of `items`, in share order; a thread
/// that panics gives an error naming `what`.
pub(super) fn on_shares<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    what: &str,
    work: impl Fn(&[T]) -> Result<R, LearnerError> + Sync,
) -> Vec<Result<R, LearnerError>> {
    let per_share = items.len().div_ceil(threads.max(1)).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_share)
            .map(|share| scope.spawn(move || work(share)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(LearnerError::Readback(format!(
                        "a {what} thread stopped with a panic"
                    )))
                })
            })
            .collect()
    })
}
