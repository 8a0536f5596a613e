import Testing
import DendrometerCore
import DendrometerFilters
@testable import DendrometerLearning

@Suite("Random forest")
struct ForestTests {
    /// n samples of 2 features: feature 0 uniform in [0, 1], feature 1 noise; class = feature 0 > 0.5.
    func separable(_ n: Int, seed: UInt64) -> (x: [Float], y: [UInt8]) {
        var rng = SplitMix64(seed: seed)
        var x = [Float](), y = [UInt8]()
        for _ in 0 ..< n {
            let a = Float(rng.next() % 10_000) / 10_000, b = Float(rng.next() % 10_000) / 10_000
            x += [a, b]
            y.append(a > 0.5 ? 1 : 0)
        }
        return (x, y)
    }

    @Test("separable by one feature: perfect on training data and on fresh points away from the boundary")
    func separableData() throws {
        let (x, y) = separable(400, seed: 1)
        let forest = try RandomForest.train(features: x, featureCount: 2, labels: y, classCount: 2,
                                            parameters: .init(treeCount: 25, seed: 5))
        #expect(try forest.classIndices(features: x) == y.map(Int.init))
        let (tx, ty) = separable(400, seed: 2)
        var right = 0, counted = 0
        for i in 0 ..< ty.count where abs(tx[2 * i] - 0.5) > 0.02 {
            counted += 1
            if try forest.classIndices(features: Array(tx[2 * i ..< 2 * i + 2]))[0] == Int(ty[i]) { right += 1 }
        }
        #expect(right == counted)
        let p = try forest.probabilities(features: [0.1, 0.5, 0.9, 0.5])
        #expect(p.count == 4 && abs(p[0] + p[1] - 1) < 1e-5 && p[0] > 0.9 && p[3] > 0.9)
    }

    @Test("classification stops early yet equals the arg-max of the full probabilities (impure leaves, 3 classes, blocks with a remainder)")
    func earlyStopIsExact() throws {
        // Overlapping classes and shallow trees give impure leaves, so many samples stay undecided
        // until late and some run every tree; 1000 samples = 3 blocks of 256 and a remainder.
        var rng = SplitMix64(seed: 21)
        let nf = 4
        func samples(_ n: Int) -> (x: [Float], y: [UInt8]) {
            var x = [Float](), y = [UInt8]()
            for _ in 0 ..< n {
                let v = (0 ..< nf).map { _ in Float(rng.next() % 10_000) / 10_000 }
                x += v
                let s = v[0] + 0.3 * v[1] + Float(rng.next() % 1000) / 2500    // label noise of 0.4
                y.append(s < 0.6 ? 0 : (s < 1.0 ? 1 : 2))
            }
            return (x, y)
        }
        let (x, y) = samples(3000)
        let (tx, _) = samples(1000)
        for (trees, depth) in [(1, 3), (2, 3), (51, 3), (100, 4), (100, 20)] {
            let forest = try RandomForest.train(features: x, featureCount: nf, labels: y, classCount: 3,
                                                parameters: .init(treeCount: trees, maximumDepth: depth, seed: 4))
            for kernels in VectorKernels.supported {
                let p = try forest.probabilities(features: tx, kernels: kernels)
                let argmax = (0 ..< tx.count / nf).map { i in
                    var best = 0
                    for c in 1 ..< 3 where p[i * 3 + c] > p[i * 3 + best] { best = c }
                    return best
                }
                #expect(try forest.classIndices(features: tx, kernels: kernels) == argmax,
                        "\(trees) trees of depth \(depth), \(kernels) kernels")
            }
        }
    }

    @Test("no samples: no probabilities and no classes; a partial sample is an error")
    func emptyAndPartial() throws {
        let forest = try RandomForest.train(features: [0.1, 0.9], featureCount: 1, labels: [0, 1], classCount: 2,
                                            parameters: .init(treeCount: 3, seed: 1))
        #expect(try forest.probabilities(features: []) == [])
        #expect(try forest.classIndices(features: []) == [])
        let two = try RandomForest.train(features: [0.1, 0.2, 0.9, 0.8], featureCount: 2, labels: [0, 1], classCount: 2,
                                         parameters: .init(treeCount: 3, seed: 1))
        #expect(throws: LearningError.featureCountMismatch(expected: 2, got: 3)) { try two.classIndices(features: [0.1, 0.2, 0.3]) }
    }

    @Test("the stopping rule's rounding margin: 4·T²·2⁻²⁴ (0.0024 for 100 trees)")
    func stoppingMargin() {
        #expect(RandomForest.sumRoundingBound(treeCount: 100) == 40_000 * 0x1p-24)
        #expect(abs(RandomForest.sumRoundingBound(treeCount: 100) - 0.002384) < 1e-6)
    }

    @Test("the example in the documentation")
    func documentationExample() throws {
        let forest = try RandomForest.train(features: [0.1, 0.2, 0.8, 0.9], featureCount: 1, labels: [0, 0, 1, 1],
                                            classCount: 2, parameters: .init(treeCount: 10, seed: 1))
        #expect(try forest.classIndices(features: [0.15, 0.85]) == [0, 1])
    }

    @Test("XOR needs depth 2: depth 1 stays near chance, depth 2 is perfect")
    func xor() throws {
        var x = [Float](), y = [UInt8]()
        for a in 0 ..< 2 { for b in 0 ..< 2 { for _ in 0 ..< 25 { x += [Float(a), Float(b)]; y.append(UInt8(a ^ b)) } } }
        func accuracy(depth: Int) throws -> Double {
            let f = try RandomForest.train(features: x, featureCount: 2, labels: y, classCount: 2,
                                           parameters: .init(treeCount: 30, maximumDepth: depth, seed: 3))
            let predicted = try f.classIndices(features: x)
            return Double(zip(predicted, y).filter { $0 == Int($1) }.count) / Double(y.count)
        }
        #expect(try accuracy(depth: 1) <= 0.75)
        #expect(try accuracy(depth: 2) == 1)
    }

    @Test("deterministic: same seed → identical forest; each tree depends only on the seed and its index (not on how trees are shared among threads); another seed differs")
    func deterministic() throws {
        var rng = SplitMix64(seed: 9)
        let n = 3000, nf = 6
        let x = (0 ..< n * nf).map { _ in Float(rng.next() % 1000) / 1000 }
        let y = (0 ..< n).map { i in UInt8((x[i * nf] + x[i * nf + 3] > 1 ? 1 : 0) + (x[i * nf + 1] > 0.8 ? 1 : 0)) }
        let p = RandomForest.Parameters(treeCount: 12, seed: 77)
        let a = try RandomForest.train(features: x, featureCount: nf, labels: y, classCount: 3, parameters: p)
        let b = try RandomForest.train(features: x, featureCount: nf, labels: y, classCount: 3, parameters: p)
        #expect(a == b)
        // A one-tree forest with the same seed grows exactly tree 0 of the twelve: trees are
        // seeded by index, so the split of trees over threads cannot change them. (The global
        // thread count is not changed here: other suites run concurrently.)
        var one = p
        one.treeCount = 1
        let single = try RandomForest.train(features: x, featureCount: nf, labels: y, classCount: 3, parameters: one)
        #expect(Array(single.nodes) == Array(a.nodes[a.treeStarts[0] ..< a.treeStarts[1]]))
        var q = p
        q.seed = 78
        #expect(try RandomForest.train(features: x, featureCount: nf, labels: y, classCount: 3, parameters: q) != a)
        // Small nodes (sorted path) and large nodes (histograms) both occur here.
        #expect(a.nodeCount > 2 * p.treeCount)
    }

    @Test("the mask walk equals a sample-by-sample descent on every kernel (NaN goes right; single-leaf trees)")
    func levelSynchronousPrediction() throws {
        var rng = SplitMix64(seed: 12)
        let n = 700, nf = 5
        let x = (0 ..< n * nf).map { _ in Float(rng.next() % 1000) / 1000 }
        let y = (0 ..< n).map { i in UInt8((x[i * nf] + x[i * nf + 2] > 1 ? 1 : 0) + (x[i * nf + 4] > 0.7 ? 1 : 0)) }
        let trained = try RandomForest.train(features: x, featureCount: nf, labels: y, classCount: 3,
                                             parameters: .init(treeCount: 7, seed: 2))
        // Append a single-leaf tree (a pure bootstrap sample gives one in practice).
        let leaf = RandomForest.Node(feature: RandomForest.leafMarker, threshold: 0, left: Int32(trained.leafCount), right: 0)
        var p = trained.parameters
        p.treeCount += 1
        let forest = RandomForest(featureCount: nf, classCount: 3, parameters: p, nodes: trained.nodes + [leaf],
                                  treeStarts: trained.treeStarts + [trained.nodeCount + 1],
                                  leafProbabilities: trained.leafProbabilities + [0.25, 0.5, 0.25])
        // More samples than one block, some NaN features, and every fourth sample made of the
        // forest's own thresholds (x = t must go left: ≤, not <, in every kernel and path).
        var thresholds = [[Float]](repeating: [], count: nf)
        for node in trained.nodes where node.feature >= 0 { thresholds[Int(node.feature)].append(node.threshold) }
        var samples = [Float]()
        for i in 0 ..< 3 * predictionBlockSize + 17 {
            for f in 0 ..< nf {
                if i % 11 == f {
                    samples.append(.nan)
                } else if i % 4 == 0, !thresholds[f].isEmpty {
                    samples.append(thresholds[f][Int(rng.next() % UInt64(thresholds[f].count))])
                } else {
                    samples.append(Float(rng.next() % 1000) / 1000)
                }
            }
        }
        expectDescentEquality(forest, samples)
    }

    @Test("the mask walk's stack: a comb tree 40 levels deep, both children internal at every level")
    func deepTreeWalk() throws {
        // Spine node i splits x[i % 3] ≤ 0.97 (left: the next spine node, so 30 % of the samples
        // go 40 levels down); its right child splits x[(i + 1) % 3] ≤ 0.5 into two leaves. A
        // left-first walk pushes a right child at every spine level: the deepest stack there is.
        let depth = 40, nf = 3
        var nodes = [RandomForest.Node](), probabilities = [Float]()
        func leaf(_ row: [Float]) -> RandomForest.Node {
            probabilities += row
            return RandomForest.Node(feature: RandomForest.leafMarker, threshold: 0, left: Int32(probabilities.count / 3 - 1), right: 0)
        }
        var spine = [Int]()
        for i in 0 ..< depth {
            spine.append(nodes.count)
            nodes.append(RandomForest.Node(feature: Int32(i % nf), threshold: 0.97, left: 0, right: 0))
        }
        for i in 0 ..< depth {
            let right = nodes.count
            nodes.append(RandomForest.Node(feature: Int32((i + 1) % nf), threshold: 0.5, left: Int32(right + 1), right: Int32(right + 2)))
            nodes.append(leaf([1, 0, 0])); nodes.append(leaf([0, Float(i) / Float(depth), 1 - Float(i) / Float(depth)]))
            nodes[spine[i]].right = Int32(right)
            if i + 1 < depth {
                nodes[spine[i]].left = Int32(spine[i + 1])
            } else {
                nodes[spine[i]].left = Int32(nodes.count)
                nodes.append(leaf([0.25, 0.25, 0.5]))
            }
        }
        let forest = RandomForest(featureCount: nf, classCount: 3, parameters: .init(treeCount: 1),
                                  nodes: nodes, treeStarts: [0, nodes.count], leafProbabilities: probabilities)
        #expect(forest.predictionDepth == depth + 1)
        var rng = SplitMix64(seed: 5)
        let samples = (0 ..< 3000 * nf).map { _ in Float(rng.next() % 100_000) / 100_000 }
        expectDescentEquality(forest, samples)
    }

    /// Probabilities and classes of `forest` on row-major `samples` equal a sample-by-sample
    /// descent of `nodes`, bit for bit, on every kernel this processor runs.
    private func expectDescentEquality(_ forest: RandomForest, _ samples: [Float],
                                       sourceLocation: SourceLocation = #_sourceLocation) {
        let nf = forest.featureCount, k = forest.classCount, n = samples.count / nf
        var expected = [Float](repeating: 0, count: n * k)
        for i in 0 ..< n {
            for t in 0 ..< forest.treeCount {
                var j = forest.treeStarts[t]
                while forest.nodes[j].feature >= 0 {
                    let node = forest.nodes[j]
                    j = forest.treeStarts[t] + Int(samples[i * nf + Int(node.feature)] <= node.threshold ? node.left : node.right)
                }
                for c in 0 ..< k { expected[i * k + c] += forest.leafProbabilities[Int(forest.nodes[j].left) * k + c] }
            }
            let scale = 1 / Float(forest.treeCount)
            for c in 0 ..< k { expected[i * k + c] *= scale }
        }
        let argmax = (0 ..< n).map { i in
            var best = 0
            for c in 1 ..< k where expected[i * k + c] > expected[i * k + best] { best = c }
            return best
        }
        for kernels in VectorKernels.supported {
            let got = try? forest.probabilities(features: samples, kernels: kernels)
            #expect(got == expected, "\(kernels) kernels: probabilities", sourceLocation: sourceLocation)
            let classes = try? forest.classIndices(features: samples, kernels: kernels)
            #expect(classes == argmax, "\(kernels) kernels: classes", sourceLocation: sourceLocation)
        }
    }

    @Test("histogram and sorted split searches agree")
    func splitPathsAgree() {
        var rng = SplitMix64(seed: 4)
        let n = sortedSplitNodeSize - 1, nf = 3, k = 3
        let x = (0 ..< n * nf).map { _ in Float(rng.next() % 40) }
        let labels = (0 ..< n).map { _ in UInt8(rng.next() % UInt64(k)) }
        let q = x.withUnsafeBufferPointer { FeatureQuantizer(features: $0.baseAddress!, count: n, featureCount: nf, maximumBins: 256) }
        var bins = [UInt8](repeating: 0, count: n * nf)
        for i in 0 ..< n { for f in 0 ..< nf { bins[i * nf + f] = q.bin(x[i * nf + f], feature: f) } }
        bins.withUnsafeBufferPointer { bb in
            labels.withUnsafeBufferPointer { lb in
                let data = TrainingData(bins: SendableConstPointer(bb.baseAddress!), labels: SendableConstPointer(lb.baseAddress!),
                                        count: n, featureCount: nf, classCount: k, quantizer: q)
                var g = TreeGrower(data: data, parameters: .init())
                defer { g.deallocate() }
                for i in 0 ..< n { g.samples[i] = Int32(i) }
                for i in 0 ..< n { g.classCounts[Int(labels[i])] += 1 }
                for f in 0 ..< nf {
                    let small = g.evaluate(feature: f, start: 0, end: n)
                    // Duplicate every sample: the node is now large enough for histograms, scores double.
                    var h = TreeGrower(data: data, parameters: .init(), sampleCapacity: 2 * n)
                    defer { h.deallocate() }
                    for i in 0 ..< 2 * n { h.samples[i] = Int32(i % n) }
                    for i in 0 ..< n { h.classCounts[Int(labels[i])] += 2 }
                    let large = h.evaluate(feature: f, start: 0, end: 2 * n)
                    #expect(small.constant == large.constant)
                    #expect(small.best?.cut == large.best?.cut)
                    #expect(abs(2 * small.best!.score - large.best!.score) < 1e-9)
                }
            }
        }
    }

    @Test("quantiser: cuts between distinct values, bin(x) ≤ b ⇔ x ≤ cut[b]; at most 256 bins")
    func quantiser() {
        let values: [Float] = [3, 1, 2, 2, 5]
        let cuts = values.withUnsafeBufferPointer { FeatureQuantizer.cuts($0.baseAddress!, count: 5, featureCount: 1, feature: 0, maximumBins: 256) }
        #expect(cuts == [1.5, 2.5, 4])
        var rng = SplitMix64(seed: 1)
        let many = (0 ..< 10_000).map { _ in Float(rng.next() % 100_000) }
        let q = many.withUnsafeBufferPointer { FeatureQuantizer(features: $0.baseAddress!, count: many.count, featureCount: 1, maximumBins: 256) }
        #expect(q.cuts[0].count <= 255 && q.cuts[0].count > 200)
        for v in many.prefix(500) {
            let b = Int(q.bin(v, feature: 0))
            if b < q.cuts[0].count { #expect(v <= q.cuts[0][b]) }
            if b > 0 { #expect(v > q.cuts[0][b - 1]) }
        }
    }

    @Test("invalid input: mismatched counts, class index ≥ K, non-finite features, bad parameters")
    func invalidInput() {
        #expect(throws: LearningError.sampleCountMismatch(features: 3, labels: 2, featureCount: 2)) {
            try RandomForest.train(features: [1, 2, 3], featureCount: 2, labels: [0, 1], classCount: 2, parameters: .init())
        }
        #expect(throws: LearningError.self) {
            try RandomForest.train(features: [1, 2], featureCount: 1, labels: [0, 2], classCount: 2, parameters: .init())
        }
        #expect(throws: LearningError.self) {
            try RandomForest.train(features: [1, .nan], featureCount: 1, labels: [0, 1], classCount: 2, parameters: .init())
        }
        #expect(throws: LearningError.self) {
            try RandomForest.train(features: [1, 2], featureCount: 1, labels: [0, 1], classCount: 2, parameters: .init(treeCount: 0))
        }
    }
}
