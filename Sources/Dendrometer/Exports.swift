// The umbrella module: `import Dendrometer` gives every pipeline stage. It
// only re-exports; each stage lives in its own module.
@_exported import DendrometerCore
@_exported import DendrometerIO
@_exported import DendrometerCalibration
@_exported import DendrometerFilters
@_exported import DendrometerSegmentation
@_exported import DendrometerSkeleton
@_exported import DendrometerGeometry
@_exported import DendrometerMorphology
@_exported import DendrometerLearning
@_exported import DendrometerPipeline
@_exported import DendrometerOutput
@_exported import DendrometerBenchmark
