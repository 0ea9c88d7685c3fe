"""DARTS CNN space: operations and the stand-alone evaluation network (supernet: to come)."""
