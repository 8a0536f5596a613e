// Order statistics without a full sort.

/// The `k`-th smallest value of `values` (0-based), reordering it in place:
/// Hoare's selection (quickselect) with a median-of-three pivot, O(n) on average.
public func selectKth(_ values: inout [Float], _ k: Int) -> Float {
    var lo = 0, hi = values.count - 1
    while lo < hi {
        let mid = lo + (hi - lo) / 2
        // Median of three as the pivot value.
        let a = values[lo], b = values[mid], c = values[hi]
        let pivot = max(min(a, b), min(max(a, b), c))
        var i = lo, j = hi
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
        }
        if k <= j { hi = j } else if k >= i { lo = i } else { return values[k] }
    }
    return values[k]
}
