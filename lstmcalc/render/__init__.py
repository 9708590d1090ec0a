"""Render: one module per output family (plain text and Markdown, rich), finished values in, text out."""
