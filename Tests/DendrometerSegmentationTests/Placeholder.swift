import Testing
@testable import DendrometerSegmentation
