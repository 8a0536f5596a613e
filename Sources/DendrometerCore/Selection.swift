// Order statistics without a full sort.

/// The `k`-th smallest value of `values` (0-based), reordering it in place:
/// Hoare's selection (quickselect) with a median-of-three pivot, O(n) on average.
public func selectKth(_ values: inout [Float], _ k: Int) -> Float {
    precondition(k >= 0 && k < values.count, "selectKth: k = \(k) outside 0..<\(values.count)")
    return values.withUnsafeMutableBufferPointer { v in
        var lo = 0, hi = v.count - 1
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
