// The umbrella module: `import Dendrometer` gives every pipeline stage.
@_exported import DendrometerCore
@_exported import DendrometerIO
@_exported import DendrometerCalibration
@_exported import DendrometerFilters
@_exported import DendrometerSegmentation
@_exported import DendrometerSkeleton
@_exported import DendrometerGeometry
@_exported import DendrometerMorphology
