import CTIFF
import CPNG
import DendrometerCore
