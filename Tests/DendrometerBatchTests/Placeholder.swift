import Testing
@testable import DendrometerBatch
