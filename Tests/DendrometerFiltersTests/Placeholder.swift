import Testing
@testable import DendrometerFilters
