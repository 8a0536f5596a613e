import Testing
import Dendrometer
