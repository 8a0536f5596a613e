/// Every benchmark case `dendrometer bench` knows, in pipeline order.
public enum AllBenchmarks {
    /// I/O first, then the kernels of each stage.
    public static var cases: [BenchmarkCase] { IOBenchmarks.cases }
}
