// Random-forest classifier (L. Breiman, "Random Forests", Machine Learning 45,
// 2001), the classifier of ilastik and Trainable Weka Segmentation: an ensemble
// of CART trees, each grown on a bootstrap sample, choosing at every node the
// best Gini split among a random subset of √F features; class probabilities
// are the mean of the trees' leaf class frequencies (scikit-learn's
// `predict_proba`). This file holds the model and its parameters; training is in
// ForestTraining.swift, prediction in ForestPrediction.swift.

import CVectorKernels
import DendrometerCore

/// A trained classification forest over `featureCount` Float features and `classCount` classes.
///
/// Class indices are 0 ..< classCount here (``PixelClassifier`` maps its labels 1...K to 0 ..< K).
/// Trees are stored as flat node arrays: internal nodes send a sample left when
/// `feature value ≤ threshold`, right otherwise (NaN goes right); leaves index a table of
/// per-class probabilities.
///
/// ```swift
/// // Two samples per class, one feature: class 0 below 0.5, class 1 above.
/// let forest = try RandomForest.train(features: [0.1, 0.2, 0.8, 0.9], featureCount: 1,
///                                     labels: [0, 0, 1, 1], classCount: 2,
///                                     parameters: .init(treeCount: 10, seed: 1))
/// try forest.classIndices(features: [0.15, 0.85])   // [0, 1]
/// ```
public struct RandomForest: Sendable, Equatable {
    /// Training parameters (stored with the model).
    public struct Parameters: Sendable, Codable, Equatable {
        /// Number of trees (default 100).
        public var treeCount: Int
        /// Largest depth of a tree; the root is depth 0 (default 20).
        public var maximumDepth: Int
        /// Fewest bootstrap samples in a leaf; a split leaving fewer on a side is not considered (default 1).
        public var minimumSamplesPerLeaf: Int
        /// Features tried per node; nil = ⌊√featureCount⌋ (at least 1), Breiman's default for classification.
        public var featuresPerNode: Int?
        /// Most bins per feature for the histogram splits, 2 ... 256 (default 256).
        public var maximumBins: Int
        /// Seed of the pseudo-random draws (bootstrap, feature subsets). Same seed and data → same forest,
        /// bit for bit, on any number of threads.
        public var seed: UInt64

        /// Parameters with the documented defaults.
        public init(treeCount: Int = 100, maximumDepth: Int = 20, minimumSamplesPerLeaf: Int = 1,
                    featuresPerNode: Int? = nil, maximumBins: Int = 256, seed: UInt64 = 0x00D3_D217) {
            self.treeCount = treeCount
            self.maximumDepth = maximumDepth
            self.minimumSamplesPerLeaf = minimumSamplesPerLeaf
            self.featuresPerNode = featuresPerNode
            self.maximumBins = maximumBins
            self.seed = seed
        }

        /// Features tried per node for `featureCount` features.
        func resolvedFeaturesPerNode(featureCount: Int) -> Int {
            min(featureCount, max(1, featuresPerNode ?? Int(saturating: Double(featureCount).squareRoot())))
        }

        /// Checks every parameter's range.
        func validate(featureCount: Int) throws(LearningError) {
            func bad(_ name: String, _ v: Int, _ req: String) -> LearningError {
                .invalidParameter(name: name, value: "\(v)", requirement: req)
            }
            if treeCount < 1 || treeCount > RandomForest.maximumTreeCount {
                throw bad("the tree count", treeCount, "1 ... \(RandomForest.maximumTreeCount)")
            }
            if maximumDepth < 0 || maximumDepth > RandomForest.maximumDepthLimit {
                throw bad("the maximum tree depth", maximumDepth, "0 ... \(RandomForest.maximumDepthLimit)")
            }
            if minimumSamplesPerLeaf < 1 { throw bad("the minimum samples per leaf", minimumSamplesPerLeaf, "≥ 1") }
            if let m = featuresPerNode, m < 1 || m > featureCount {
                throw bad("the features per node", m, "1 ... \(featureCount) (the feature count)")
            }
            if maximumBins < 2 || maximumBins > 256 { throw bad("the maximum bin count", maximumBins, "2 ... 256") }
        }
    }

    /// One tree node (16 bytes). Internal: `feature` ≥ 0, children `left`, `right` are node
    /// indices within the tree, both greater than this node's. Leaf: `feature` = ``leafMarker``,
    /// `left` = index of its probability row (global over the forest), `right` = 0.
    struct Node: Sendable, Equatable {
        var feature: Int32
        var threshold: Float
        var left: Int32
        var right: Int32
    }

    /// `Node.feature` of a leaf.
    static let leafMarker: Int32 = -1
    /// Most trees a forest may have (a bound for file validation).
    public static let maximumTreeCount = 100_000
    /// Deepest tree allowed (a bound for validation; recursion-free code does not need it).
    public static let maximumDepthLimit = 1_000
    /// Most classes (labels are UInt8 with 0 = unlabelled).
    public static let maximumClassCount = 255

    /// Number of features a sample has.
    public let featureCount: Int
    /// Number of classes.
    public let classCount: Int
    /// The parameters the forest was trained with.
    public let parameters: Parameters
    /// Nodes of all trees, tree after tree.
    let nodes: [Node]
    /// `treeStarts[t] ..< treeStarts[t + 1]` are tree t's nodes (count treeCount + 1).
    let treeStarts: [Int]
    /// Leaf class probabilities, `classCount` per leaf, leaves numbered in node order over the forest.
    let leafProbabilities: [Float]
    /// The internal nodes of every tree for prediction, in tree-local node numbering, with
    /// leaf children folded into their parents: a child c ≥ 0 is an internal node, a child
    /// c < 0 is the leaf whose probability row is ~c (= −c − 1). Derived from `nodes` at
    /// init, so a walk needs no load to learn that it reached a leaf. A single-leaf
    /// tree is stored as one node that sends every sample to that leaf.
    let predictionNodes: [dm_forest_node]
    /// Depth of the deepest leaf over all trees (root = 0): sizes the tree walk's stack.
    let predictionDepth: Int

    /// Number of trees.
    public var treeCount: Int { treeStarts.count - 1 }
    /// Number of nodes over all trees.
    public var nodeCount: Int { nodes.count }
    /// Number of leaves over all trees.
    public var leafCount: Int { leafProbabilities.count / max(1, classCount) }

    init(featureCount: Int, classCount: Int, parameters: Parameters, nodes: [Node], treeStarts: [Int],
         leafProbabilities: [Float]) {
        self.featureCount = featureCount
        self.classCount = classCount
        self.parameters = parameters
        self.nodes = nodes
        self.treeStarts = treeStarts
        self.leafProbabilities = leafProbabilities
        (predictionNodes, predictionDepth) = Self.foldLeaves(nodes: nodes, treeStarts: treeStarts)
    }

    /// Equal forests have equal trees, leaves and parameters (the prediction nodes derive from them).
    public static func == (a: RandomForest, b: RandomForest) -> Bool {
        a.featureCount == b.featureCount && a.classCount == b.classCount && a.parameters == b.parameters
            && a.nodes == b.nodes && a.treeStarts == b.treeStarts && a.leafProbabilities == b.leafProbabilities
    }

    /// ``predictionNodes`` of a forest (node indices stay tree-local; internal nodes keep
    /// their indices, so the array has the same length and layout as `nodes`) and the depth
    /// of its deepest leaf. Nodes are valid (children after their parent, as loading checks).
    static func foldLeaves(nodes: [Node], treeStarts: [Int]) -> (nodes: [dm_forest_node], depth: Int) {
        var folded = nodes.map { dm_forest_node(feature: $0.feature, threshold: $0.threshold, left: $0.left, right: $0.right) }
        var depth = [Int](repeating: 0, count: nodes.count), deepest = 0
        for t in 0 ..< max(0, treeStarts.count - 1) {
            let base = treeStarts[t]
            func child(_ c: Int32) -> Int32 {
                let node = nodes[base + Int(c)]
                return node.feature == leafMarker ? ~node.left : c
            }
            if nodes[base].feature == leafMarker {
                folded[base] = dm_forest_node(feature: 0, threshold: 0, left: ~nodes[base].left, right: ~nodes[base].left)
                deepest = max(deepest, 1)
                continue
            }
            for j in base ..< treeStarts[t + 1] where nodes[j].feature != leafMarker {
                folded[j].left = child(nodes[j].left)
                folded[j].right = child(nodes[j].right)
                // Children come after their parent, so a parent's depth is final when it is read.
                for c in [nodes[j].left, nodes[j].right] { depth[base + Int(c)] = depth[j] + 1 }
                deepest = max(deepest, depth[j] + 1)
            }
        }
        return (folded, deepest)
    }
}
