import Testing
@testable import DendrometerSynthetic
