// Placeholder: batch runner lands here (issue #5).
import Dendrometer
