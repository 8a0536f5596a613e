import ArgumentParser
import Dendrometer
print("placeholder")
