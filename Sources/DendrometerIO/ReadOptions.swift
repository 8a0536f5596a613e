import Foundation

/// How to read an image file.
public struct ReadOptions: Sendable, Equatable {
    /// Page (TIFF directory) to read, 0-based like tifffile's `key`; 0 is the first page.
    public var page: Int
    /// Refuse images with more pixels than this (protects against absurd
    /// headers and memory exhaustion). Default ``defaultMaximumPixels``.
    public var maximumPixels: Int
    /// Whether to look for `<stem>.txt` / `<stem>.hdr` metadata sidecars beside the image.
    public var readSidecars: Bool

    /// Peak memory of a whole analysis per input pixel, bytes, as measured on a dense 4096²
    /// 8-bit micrograph (about 790 MB, 47 B/px) with a margin: the figure the default cap is
    /// sized with.
    public static let analysisBytesPerPixel = 64

    /// The default cap on pixels per image: as many as an analysis can hold in half of this
    /// machine's physical memory (``analysisBytesPerPixel`` each), at most 2 gigapixels. A 24 GB
    /// machine allows about 190 megapixels (13 700² px); `--max-pixels` raises it.
    public static let defaultMaximumPixels: Int = {
        let half = ProcessInfo.processInfo.physicalMemory / 2
        let fits = half / UInt64(analysisBytesPerPixel)
        return Int(min(fits, 2_000_000_000))
    }()

    /// Options for reading page `page` with at most `maximumPixels` pixels.
    public init(page: Int = 0, maximumPixels: Int = ReadOptions.defaultMaximumPixels, readSidecars: Bool = true) {
        self.page = page
        self.maximumPixels = maximumPixels
        self.readSidecars = readSidecars
    }
}
