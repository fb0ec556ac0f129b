"""Segments: a static report site generator for customer segmentation."""

import warnings

__version__ = "0.1.0"

# pandera imports pyspark.pandas whenever pyspark is installed (the Spark engine's extra), and
# pyspark warns about the pandas version on that import: a line of noise on every command.
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
