/// An upstream attempt in flight (a `ChatRelay` or a `ChatCollector`), as its execution
/// cancels it. The attempt never touches the writer's close handler: the execution owns it.
protocol ExecutionAttempt: AnyObject {
    /// Aborts the upstream transfer and reports `.cancelled` (with the usage so far) through
    /// the attempt's finish callback; nothing once the attempt has finished.
    func cancel()
}
