import Testing
@testable import DendrometerIO
