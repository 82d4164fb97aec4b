"""The version of the oakgate Python package."""

VERSION = "0.1.0"
