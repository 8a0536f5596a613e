/// How to read an image file.
public struct ReadOptions: Sendable, Equatable {
    /// Page (TIFF directory) to read, 0-based like tifffile's `key`; 0 is the first page.
    public var page: Int
    /// Refuse images with more pixels than this (protects against absurd
    /// headers and memory exhaustion). Default 2 gigapixels.
    public var maximumPixels: Int
    /// Whether to look for `<stem>.txt` / `<stem>.hdr` metadata sidecars beside the image.
    public var readSidecars: Bool

    /// The default cap on pixels per image: 2 gigapixels.
    public static let defaultMaximumPixels = 2_000_000_000

    /// Options for reading page `page` with at most `maximumPixels` pixels.
    public init(page: Int = 0, maximumPixels: Int = ReadOptions.defaultMaximumPixels, readSidecars: Bool = true) {
        self.page = page
        self.maximumPixels = maximumPixels
        self.readSidecars = readSidecars
    }
}
