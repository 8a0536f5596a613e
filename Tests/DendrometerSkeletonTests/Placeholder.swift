import Testing
@testable import DendrometerSkeleton
