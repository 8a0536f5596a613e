import DendrometerCore
import Testing
@testable import DendrometerReport

/// Reference values: tools/reference/report_statistics.py (numpy, scipy 1.17.1).
@Suite struct StatisticsTests {
    func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tol * max(1, abs(b))
    }

    @Test func percentilesMatchNumpyLinear() {
        // np.percentile([3,1,4,1,5,9,2,6], [0,25,50,75,100]) -> [1.0, 1.75, 3.5, 5.25, 9.0]
        let s = SampleSummary([3, 1, 4, 1, 5, 9, 2, 6])!
        #expect(s.min == 1 && s.max == 9)
        #expect(close(s.q1, 1.75) && close(s.median, 3.5) && close(s.q3, 5.25))
        // np.mean -> 3.875, np.std(ddof=1) -> 2.748376143938713
        #expect(close(s.mean, 3.875) && close(s.sd, 2.748376143938713))
        #expect(s.iqr == 3.5)
    }

    @Test func singleValueAndEmpty() {
        // np.percentile([7.5], [25,50,75]) -> [7.5, 7.5, 7.5]
        let s = SampleSummary([7.5])!
        #expect(s.q1 == 7.5 && s.median == 7.5 && s.q3 == 7.5 && s.sd == nil && s.n == 1)
        #expect(SampleSummary([]) == nil)
        #expect(SampleSummary([.nan, .infinity]) == nil)
        #expect(SampleSummary([.nan, 2, 4])!.n == 2)
    }

    @Test func mannWhitneyMatchesScipy() {
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
        let noTies = Statistics.mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1])!
        #expect(noTies.u == 0 && close(noTies.p, 0.012185780355344813, 1e-10))   // U=0.0 p=0.012185780355344813
        let ties = Statistics.mannWhitneyU([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5])!
        #expect(ties.u == 10.5 && close(ties.p, 0.2781795785808443, 1e-10))      // U=10.5 p=0.2781795785808443
        let overlap = Statistics.mannWhitneyU([0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40],
                                              [0.21, 0.35, 0.18, 0.44, 0.25, 0.30])!
        #expect(overlap.u == 42 && close(overlap.p, 0.02386844216457435, 1e-10)) // U=42.0 p=0.02386844216457435
        let allTied = Statistics.mannWhitneyU([5, 5, 5], [5, 5])!
        #expect(allTied.u == 3 && allTied.p == 1)                               // U=3.0 p=1.0
        #expect(Statistics.mannWhitneyU([], [1]) == nil)
    }

    @Test func mannWhitneyIsSymmetric() {
        let x: [Double] = [1, 2, 2, 3, 3, 3, 7], y: [Double] = [2, 3, 4, 4, 5]
        let xy = Statistics.mannWhitneyU(x, y)!, yx = Statistics.mannWhitneyU(y, x)!
        #expect(xy.u + yx.u == Double(x.count * y.count))
        #expect(close(xy.p, yx.p))
    }

    @Test func cliffsDeltaHandComputed() {
        // x=[1,2,2,3,3,3,7] vs y=[2,3,4,4,5]: per x (#y below − #y above):
        // 1: 0−5, 2: 0−4 (×2), 3: 1−3 (×3), 7: 5−0  → (−5 −8 −6 +5)/35 = −14/35 = −0.4
        #expect(close(Statistics.cliffsDelta([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5]), -0.4))
        #expect(Statistics.cliffsDelta([1, 2, 3], [4, 5]) == -1)
        #expect(Statistics.cliffsDelta([4, 5], [1, 2, 3]) == 1)
        #expect(Statistics.cliffsDelta([5, 5], [5]) == 0)
        // [1,2,3] vs [2,2]: 1: 0−2, 2: 0−0, 3: 2−0 → 0/6
        #expect(Statistics.cliffsDelta([1, 2, 3], [2, 2]) == 0)
        #expect(Statistics.cliffsDelta([], [1]) == nil)
    }

    @Test func cliffsDeltaAgreesWithU() {
        // δ = 2U₁/(n₁n₂) − 1 (Cliff 1993), checked over random samples with ties.
        var rng = SplitMix64(seed: 7)
        for _ in 0 ..< 50 {
            let x = (0 ..< Int(rng.next() % 9 + 1)).map { _ in Double(rng.next() % 6) }
            let y = (0 ..< Int(rng.next() % 9 + 1)).map { _ in Double(rng.next() % 6) }
            let u = Statistics.mannWhitneyU(x, y)!.u
            #expect(close(Statistics.cliffsDelta(x, y), 2 * u / Double(x.count * y.count) - 1, 1e-12))
        }
    }
}

