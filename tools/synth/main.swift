print("dendrometer-synth: placeholder")
