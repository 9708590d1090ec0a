# Origin: github.com/gowthamr-tech/nanoGPT, src/models/attention.py (commit 4b0937ba85ef411d880fca15bbcda64afdb839db), unchanged.
import torch
import torch.nn as nn
import torch.nn.functional as F

class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout):
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, batch_first=True)

    def forward(self, x):
        T = x.size(1)
        mask = nn.Transformer.generate_square_subsequent_mask(T, device=x.device)
        out, _ = self.attn(x, x, x, attn_mask=mask, is_causal=True)
        return out
