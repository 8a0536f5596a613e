// Placeholder: this module's contents land with their issue.
import DendrometerCore
