// Order statistics without a full sort.

/// The `k`-th smallest value of `values` (0-based), reordering it in place:
/// Hoare's selection (quickselect) with a median-of-three pivot, O(n) on average.
public func selectKth(_ values: inout [Float], _ k: Int) -> Float {
    selectKth(&values, k, in: 0 ..< values.count)
}

/// The `k`-th smallest value of `values[range]` (k counted from `range.lowerBound`, so
/// `range.lowerBound ≤ k < range.upperBound`), reordering only that range. Afterwards every
/// value of the range before index k is ≤ the result and every value after it is ≥: the
/// (k + 1)-th smallest is then the smallest of `values[k + 1 ..< range.upperBound]`.
public func selectKth(_ values: inout [Float], _ k: Int, in range: Range<Int>) -> Float {
    precondition(range.lowerBound >= 0 && range.upperBound <= values.count && range.contains(k),
                 "selectKth: k = \(k) outside \(range) of 0..<\(values.count)")
    return values.withUnsafeMutableBufferPointer { v in
        var lo = range.lowerBound, hi = range.upperBound - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            // Median of three as the pivot value.
            let a = v[lo], b = v[mid], c = v[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }
}

/// The values of ranks `ranks` (0-based, ascending order) among all the
/// finite, non-negative values of `parts` taken together, without joining or
/// sorting them: a parallel histogram over [0, `upperBound`] finds the bin
/// holding each rank, then quickselect runs on that bin's values only
/// (radix-style selection). Exact: the same values a full sort would give.
///
/// - Parameters:
///   - parts: the values, in any number of arrays (e.g. one per row band).
///   - ranks: ranks to return, each in `0 ..< total count`.
///   - upperBound: a value ≥ every element (e.g. their maximum).
/// - Complexity: O(n) time over both cores, O(n / bins) extra memory.
public func orderStatistics(of parts: [[Float]], ranks: [Int], upperBound: Float) -> [Float] {
    let total = parts.reduce(0) { $0 + $1.count }
    precondition(ranks.allSatisfy { $0 >= 0 && $0 < total }, "orderStatistics: rank outside 0..<\(total)")
    let bins = 1 << 14
    let scale = upperBound > 0 ? Float(bins - 1) / upperBound : 0
    @inline(__always) func bin(_ v: Float) -> Int { min(bins - 1, Int(saturating: v * scale)) }
    // Counts per part, in parallel.
    let counts = parallelBandResults(parts.count, minimumPerBand: 1, initial: { [Int32](repeating: 0, count: bins) }) { range, c in
        c.withUnsafeMutableBufferPointer { c in
            for p in range { parts[p].withUnsafeBufferPointer { v in for x in v { c[bin(x)] &+= 1 } } }
        }
    }
    var histogram = [Int](repeating: 0, count: bins)
    for c in counts { for b in 0 ..< bins { histogram[b] += Int(c[b]) } }
    // The bin of each rank and the rank's position inside it.
    var cumulative = 0, b = 0
    var binOf = [(bin: Int, below: Int)]()
    for r in ranks.sorted() {
        while cumulative + histogram[b] <= r { cumulative += histogram[b]; b += 1 }
        binOf.append((b, cumulative))
    }
    var answers = [Int: Float]()
    for (r, located) in zip(ranks.sorted(), binOf) where answers[r] == nil {
        var members = [Float]()
        members.reserveCapacity(histogram[located.bin])
        for part in parts { for x in part where bin(x) == located.bin { members.append(x) } }
        answers[r] = selectKth(&members, r - located.below)
    }
    return ranks.map { answers[$0]! }
}
