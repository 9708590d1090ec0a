# Written for lstmcalc's tests (not public code): the Transformer tutorials' x * math.sqrt(d_model), and x / 2.
import math
import torch
from torch import nn


class TransformerClassifier(nn.Module):
    def __init__(self, vocab=1000, d_model=32, nhead=4, classes=3):
        super().__init__()
        self.d_model = d_model
        self.embedding = nn.Embedding(vocab, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.fc = nn.Linear(d_model, classes)

    def forward(self, src):
        x = self.embedding(src) * math.sqrt(self.d_model)
        x = self.encoder(x)
        x = x.mean(dim=1) / 2
        return self.fc(x)


model = TransformerClassifier()
