import Testing
@testable import DendrometerReport
