"""The bottom layer of builders/: types and tensor helpers every other package may import (it imports none of them)."""
