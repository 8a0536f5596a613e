import DendrometerCore
import Dispatch
import Testing

@Suite("Background jobs")
struct BackgroundJobTests {
    struct Refused: Error, Equatable {}

    @Test("a job's value arrives after the caller's own work; its error is rethrown by wait()")
    func valueAndError() throws {
        let sum = BackgroundJob { (1 ... 100_000).reduce(0, +) }
        let own = (1 ... 1000).reduce(0, +)
        #expect(try sum.wait() == 5_000_050_000)
        #expect(own == 500_500)
        let failing = BackgroundJob { () throws -> Int in throw Refused() }
        #expect(throws: Refused.self) { try failing.wait() }
    }

    @Test("the job really runs while the caller works: it waits for the caller's signal")
    func runsConcurrently() throws {
        // With two or more threads the job is on another thread and can wait for this one; the
        // test is meaningless (and would deadlock) on one thread.
        guard Concurrency.maximumThreads > 1 else { return }
        let go = DispatchSemaphore(value: 0)
        let job = BackgroundJob { () -> Bool in go.wait(); return true }
        go.signal()
        #expect(try job.wait())
    }
}
