"""NAS-Bench-Macro networks: stand-alone and weight-sharing supernet."""
