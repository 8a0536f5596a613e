import Testing
@testable import DendrometerCore
