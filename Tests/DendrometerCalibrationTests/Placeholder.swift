import Testing
@testable import DendrometerCalibration
