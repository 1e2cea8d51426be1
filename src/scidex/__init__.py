"""SciDEX Atlas: a knowledge-graph wiki of citable artifacts for neurodegeneration research."""

__version__ = "0.1.0"
