/// The one colour palette of every picture Dendrometer draws — overlays, ROI sets and the HTML
/// reports — so a label has the same colour everywhere. Colours are Okabe & Ito's (2008,
/// "Color Universal Design"), chosen to stay distinct for deuteranopes, protanopes and tritanopes:
/// no two overlay elements are red/green or blue/purple pairs that collapse.
///
/// | element | colour |
/// |---|---|
/// | dendrite outline | sky blue #56B4E9 |
/// | skeleton | yellow #F0E442 |
/// | interface | reddish purple #CC79A7 |
/// | dendrite front | white #FFFFFF |
/// | flame | orange #E69F00 |
/// | stripe | blue #0072B2 |
/// | network | bluish green #009E73 |
/// | vertical | vermillion #D55E00 |
/// | none (too little phase) | grey #999999 |
/// | data (plots) | blue #0072B2, medians vermillion #D55E00 |
public enum Palette {
    /// An 8-bit sRGB colour.
    public struct Colour: Sendable, Equatable {
        public var red: UInt8
        public var green: UInt8
        public var blue: UInt8
        public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) { self.red = red; self.green = green; self.blue = blue }
        /// `#RRGGBB`, for HTML and SVG.
        public var hex: String {
            "#" + [red, green, blue].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        }
        /// As a tuple (the overlay canvas's form).
        public var rgb: (UInt8, UInt8, UInt8) { (red, green, blue) }
    }

    public static let outline = Colour(0x56, 0xB4, 0xE9)
    public static let skeleton = Colour(0xF0, 0xE4, 0x42)
    public static let interface = Colour(0xCC, 0x79, 0xA7)
    public static let front = Colour(0xFF, 0xFF, 0xFF)
    /// Bars, points and lines of data in plots.
    public static let data = Colour(0x00, 0x72, 0xB2)
    /// Medians and other reference lines in plots.
    public static let reference = Colour(0xD5, 0x5E, 0x00)

    /// The colour of a morphology label (`flame`, `stripe`, `network`, `vertical`, `none`); grey otherwise.
    public static func label(_ name: String) -> Colour {
        switch name {
        case "flame": Colour(0xE6, 0x9F, 0x00)
        case "stripe": Colour(0x00, 0x72, 0xB2)
        case "network": Colour(0x00, 0x9E, 0x73)
        case "vertical": Colour(0xD5, 0x5E, 0x00)
        default: Colour(0x99, 0x99, 0x99)
        }
    }
}
