@testable import DendrometerCore
import Foundation
import Testing

@Suite("ProcessMemory: the heap prepared for huge pages")
struct ProcessMemoryTests {
    @Test("pieces end to end are advised as one span, pieces apart each alone, never the space between")
    func contiguousRuns() {
        // The doc's example, given out of order.
        #expect(ProcessMemory.contiguousRuns(of: [1000 ..< 1100, 0 ..< 100, 116 ..< 200], gapBytes: 64) == [0 ..< 200, 1000 ..< 1100])
        // Four 16 MiB pieces a 16-byte header apart: one run from the first's start to the last's end.
        let piece = 16 << 20
        let pieces = (0 ..< 4).map { k in 4096 + k * (piece + 16) ..< 4096 + k * (piece + 16) + piece }
        #expect(ProcessMemory.contiguousRuns(of: pieces, gapBytes: 64) == [4096 ..< 4096 + 4 * piece + 3 * 16])
        // A gap wider than a header, or overlapping ranges (not pieces of one heap): kept apart.
        #expect(ProcessMemory.contiguousRuns(of: [0 ..< 100, 165 ..< 200], gapBytes: 64) == [0 ..< 100, 165 ..< 200])
        #expect(ProcessMemory.contiguousRuns(of: [0 ..< 100, 50 ..< 200], gapBytes: 64) == [0 ..< 100, 50 ..< 200])
        #expect(ProcessMemory.contiguousRuns(of: [], gapBytes: 64).isEmpty)
    }

    /// Resident bytes now (/proc/self/statm, pages × page size); nil where there is none.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test("preparing 256 MiB of heap for huge pages makes none of it resident")
    func nothingResident() throws {
        #if os(Linux)
        let before = try #require(Self.residentBytes())
        ProcessMemory.adviseHeapForHugePages(bytes: 256 << 20)
        let after = try #require(Self.residentBytes())
        // Only the pieces' headers are written: a few pages. (Other tests running meanwhile
        // allocate too, so the bound leaves them room, far below the 256 MiB.)
        #expect(after - before < 64 << 20, "resident \(after - before) bytes more")
        #endif
    }
}
