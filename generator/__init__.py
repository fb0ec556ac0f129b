"""Segments: a static report site generator for customer segmentation."""

import warnings

__version__ = "0.1.0"

# pandera imports pyspark.pandas whenever pyspark is installed (the Spark engine's extra), on
# import and again when it first validates, and pyspark warns about the pandas version each
# time: a line of noise on every command, and no news to our users.
warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
