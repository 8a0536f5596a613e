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

    @Test func mannWhitneyAsymptoticMatchesScipy() {
        // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
        let noTies = Statistics.mannWhitneyU([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1], method: .asymptotic)!
        #expect(noTies.u == 0 && close(noTies.p, 0.012185780355344813, 1e-10))   // U=0.0 p=0.012185780355344813
        let ties = Statistics.mannWhitneyU([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5], method: .asymptotic)!
        #expect(ties.u == 10.5 && close(ties.p, 0.2781795785808443, 1e-10))      // U=10.5 p=0.2781795785808443
        let overlap = Statistics.mannWhitneyU([0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40],
                                              [0.21, 0.35, 0.18, 0.44, 0.25, 0.30], method: .asymptotic)!
        #expect(overlap.u == 42 && close(overlap.p, 0.02386844216457435, 1e-10)) // U=42.0 p=0.02386844216457435
        let allTied = Statistics.mannWhitneyU([5, 5, 5], [5, 5])!                // ties: auto is asymptotic
        #expect(allTied.u == 3 && allTied.p == 1 && allTied.method == .asymptotic) // U=3.0 p=1.0
        #expect(Statistics.mannWhitneyU([], [1]) == nil)
    }

    @Test func mannWhitneyIsSymmetric() {
        let x: [Double] = [1, 2, 2, 3, 3, 3, 7], y: [Double] = [2, 3, 4, 4, 5]
        let xy = Statistics.mannWhitneyU(x, y)!, yx = Statistics.mannWhitneyU(y, x)!
        #expect(xy.u + yx.u == Double(x.count * y.count))
        #expect(close(xy.p, yx.p))
        let a: [Double] = [1.2, 3.4, 5.6], b: [Double] = [2.3, 4.5, 6.7, 7.8]   // exact
        let ab = Statistics.mannWhitneyU(a, b)!, ba = Statistics.mannWhitneyU(b, a)!
        #expect(ab.method == .exact && ba.method == .exact && ab.u + ba.u == 12 && close(ab.p, ba.p))
    }

    @Test func mannWhitneyAutoMatchesScipy() {
        // scipy.stats.mannwhitneyu(x, y, method="auto"): exact when min(n1, n2) <= 8 and no ties.
        let cases: [(x: [Double], y: [Double], u: Double, p: Double, method: PValueMethod)] = [
            ([1.2, 3.4, 5.6], [2.3, 4.5, 6.7, 7.8], 3.0, 0.4, .exact),                              // exact_3_vs_4
            ([9.1, 8.2, 7.3], [1.0, 2.0, 3.0, 4.0], 12.0, 0.05714285714285714, .exact),             // exact_3_vs_4_separated
            ([1.1, 2.2, 3.3, 4.4, 5.5], [6.6, 7.7, 8.8, 9.9, 10.1], 0.0, 0.007936507936507936, .exact), // exact_5_vs_5
            ([0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40], [0.21, 0.35, 0.18, 0.44, 0.25, 0.30],
             42.0, 0.01998001998001998, .exact),                                                     // exact_8_vs_6
            ([3.5, 11.5], (1 ... 15).map(Double.init), 14.0, 0.9411764705882353, .exact),            // exact_2_vs_15
            ([2.5, 4.5, 7.5, 9.5, 15.5, 18.5, 20.5, 22.5], (1 ... 20).map(Double.init),
             95.0, 0.4688039818474602, .exact),                                                      // exact_8_vs_20
            ([1.0], [2.0], 0.0, 1.0, .exact),                                                        // exact_1_vs_1
            ([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5], 10.5, 0.2781795785808443, .asymptotic),        // asymptotic_ties_7_vs_5
            ([0.5, 1.7, 2.9, 3.1, 4.6, 5.2, 6.8, 7.3, 8.9], [2.0, 3.3, 4.1, 5.5, 6.6, 7.7, 8.1, 9.4, 10.2, 11.9],
             25.0, 0.11134688653314041, .asymptotic),                                                // asymptotic_9_vs_10
            ([1, 1, 2, 3, 3, 3, 4, 5, 6, 6, 7, 8], [3, 4, 4, 5, 6, 7, 8, 8, 9],
             28.5, 0.0732497098701497, .asymptotic),                                                 // asymptotic_12_vs_9_ties
        ]
        for c in cases {
            let r = Statistics.mannWhitneyU(c.x, c.y)!
            #expect(r.u == c.u && r.method == c.method && close(r.p, c.p, 1e-12), "\(c.x) vs \(c.y): got \(r)")
        }
        // Forcing the exact distribution with ties, as method="exact" (no tie correction):
        // asymptotic_ties_7_vs_5 exact p=0.3434343434343435, asymptotic_9_vs_10 exact p=0.11275411894606942.
        #expect(close(Statistics.mannWhitneyU([1, 2, 2, 3, 3, 3, 7], [2, 3, 4, 4, 5], method: .exact)!.p, 0.3434343434343435))
        #expect(close(Statistics.mannWhitneyU([0.5, 1.7, 2.9, 3.1, 4.6, 5.2, 6.8, 7.3, 8.9],
                                              [2.0, 3.3, 4.1, 5.5, 6.6, 7.7, 8.1, 9.4, 10.2, 11.9], method: .exact)!.p, 0.11275411894606942))
    }

    @Test func exactLimit() {
        // report_statistics.py: exact_8_vs_625 U=2176.0 p=0.5359325191624815 (n1·n2 = 5000: still exact);
        // asymptotic_8_vs_700 U=2456.0 p=0.5503918197742343 (n1·n2 = 5600: normal approximation).
        let atLimit = Statistics.mannWhitneyU((0 ..< 8).map { Double($0) * 77.5 + 0.25 }, (0 ..< 625).map(Double.init))!
        #expect(atLimit.u == 2176 && atLimit.method == .exact && close(atLimit.p, 0.5359325191624815, 1e-10))
        let beyond = Statistics.mannWhitneyU((0 ..< 8).map { Double($0) * 87.5 + 0.25 }, (0 ..< 700).map(Double.init))!
        #expect(beyond.u == 2456 && beyond.method == .asymptotic && close(beyond.p, 0.5503918197742343, 1e-10))
    }

    @Test func exactDistributionHandComputed() {
        // 2 vs 2: the 6 orders of x among the pooled values give U = 0, 1, 2, 2, 3, 4.
        #expect(Statistics.mannWhitneyExactSurvival(0, 2, 2) == 1)
        #expect(close(Statistics.mannWhitneyExactSurvival(2, 2, 2), 4.0 / 6))
        #expect(close(Statistics.mannWhitneyExactSurvival(3, 2, 2), 2.0 / 6))
        #expect(close(Statistics.mannWhitneyExactSurvival(4, 2, 2), 1.0 / 6))
        #expect(Statistics.mannWhitneyExactSurvival(5, 2, 2) == 0)
        // 1 vs n: U is uniform on 0…n.
        #expect(close(Statistics.mannWhitneyExactSurvival(3, 1, 4), 2.0 / 5))
    }

    @Test func holmMatchesDefinition() {
        // tools/reference/report_statistics.py holm(): step-down, running maximum, capped at 1.
        let a = Statistics.holm([0.01, 0.04, 0.03, 0.005, 0.5, 0.04])
        for (got, want) in zip(a, [0.05, 0.12, 0.12, 0.03, 0.5, 0.12]) { #expect(close(got, want)) }
        let b = Statistics.holm([0.2, 0.6, 0.9])
        for (got, want) in zip(b, [0.6000000000000001, 1.0, 1.0]) { #expect(close(got, want)) }
        #expect(Statistics.holm([0.001]) == [0.001])
        #expect(Statistics.holm([]).isEmpty)
    }

    @Test func kruskalWallisMatchesScipy() {
        // scipy.stats.kruskal(*groups)
        let cases: [(groups: [[Double]], h: Double, p: Double)] = [
            ([[1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6, 7], [5, 6, 8, 9]], 7.461046262582994, 0.02398028771595472),          // three_groups_ties
            ([[1.1, 2.4, 3.9], [4.2, 5.0, 6.3, 0.7], [7.7, 8.1, 9.6, 10.4, 2.9], [11.3, 12.8]], 8.83047619047619, 0.031631809322611684), // four_groups_no_ties
            ([[0.31, 0.52, 0.48, 0.66, 0.29, 0.71, 0.55, 0.40], [0.21, 0.35, 0.18, 0.44, 0.25, 0.30]], 5.399999999999999, 0.020136751550346346), // two_groups
            ([(0 ..< 20).map(Double.init), (20 ..< 40).map(Double.init), (40 ..< 60).map(Double.init)], 52.459016393442624, 4.061339800128413e-12), // large_h
        ]
        for c in cases {
            let r = Statistics.kruskalWallis(c.groups)!
            #expect(close(r.h, c.h, 1e-12) && close(r.p, c.p, 1e-10) && r.df == c.groups.count - 1, "got \(r)")
        }
        #expect(Statistics.kruskalWallis([[1, 2], []]) == nil)          // one non-empty group
        #expect(Statistics.kruskalWallis([[3, 3], [3], [3, 3]]) == nil)   // all tied: H undefined
        // An empty group is dropped: same as without it.
        #expect(Statistics.kruskalWallis([[1, 2, 2, 3, 5], [], [2, 3, 3, 4, 6, 6, 7], [5, 6, 8, 9]])!.h == Statistics.kruskalWallis(cases[0].groups)!.h)
    }

    @Test func spearmanMatchesScipy() {
        // scipy.stats.spearmanr(x, y)
        let cases: [(x: [Double], y: [Double], rho: Double, p: Double)] = [
            ([5, 5, 5, 10, 10, 10, 10, 20, 20, 20], [0.21, 0.35, 0.18, 0.44, 0.25, 0.30, 0.52, 0.48, 0.66, 0.29],
             0.5843065474681431, 0.07608869333120227),                                    // levels_with_ties
            ([1, 2, 3, 4, 5, 6, 7], [2.0, 1.0, 4.0, 3.0, 7.0, 5.0, 6.0], 0.8214285714285715, 0.0234488083456915), // no_ties
            ([1, 1, 2, 2, 3, 3], [4, 4, 4, 6, 5, 6], 0.7100469468046933, 0.11392058096664329), // both_tied
            ([1, 2, 3, 4], [1.5, 2.5, 3.5, 9.0], 1.0, 0.0),                                 // perfect
        ]
        for c in cases {
            let r = Statistics.spearman(c.x, c.y)!
            #expect(close(r.rho, c.rho, 1e-12) && close(r.p, c.p, 1e-10) && r.n == c.x.count, "got \(r)")
        }
        #expect(Statistics.spearman([1, 2], [3, 4]) == nil)              // fewer than 3 pairs
        #expect(Statistics.spearman([1, 2, 3], [4, 4, 4]) == nil)        // constant: rho undefined
    }

    @Test func specialFunctionsMatchScipy() {
        // scipy.stats.chi2.sf(h, df)
        for (h, df, want) in [(0.5, 1.0, 0.47950012218695337), (3.2, 2.0, 0.2018965179946554), (50.0, 3.0, 7.989179244951495e-11),
                              (7.8, 7.0, 0.35055979159798917), (200.0, 4.0, 3.75727673578106e-42)] {
            #expect(close(Statistics.chiSquaredSurvival(h, degreesOfFreedom: df), want, 1e-10), "chi2.sf(\(h), \(df))")
        }
        // 2 * scipy.stats.t.sf(t, df) = I_{df/(df+t²)}(df/2, 1/2)
        for (t, df, want) in [(0.5, 3.0, 0.651447964848151), (2.1, 8.0, 0.06893752429531219), (6.0, 20.0, 7.243699930416565e-06),
                              (30.0, 5.0, 7.718648620496053e-07), (1.3, 1.0, 0.41742880032030544)] {
            #expect(close(Statistics.regularizedBeta(df / (df + t * t), df / 2, 0.5), want, 1e-10), "2*t.sf(\(t), \(df))")
        }
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

