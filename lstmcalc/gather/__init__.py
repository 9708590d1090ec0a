"""Gather: finished values computed from the records (summary rows and totals,
explanations, the Keras/PyTorch comparison, `check` findings). Renderers only print them.
"""
