# Written for lstmcalc's tests (not public code): time-major (batch_first=False) modules, out[-1], h_n[-1], .view.
import torch
from torch import nn


class TimeMajor(nn.Module):
    def __init__(self, vocab=100, dim=8, hidden=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, num_layers=2)
        self.gru = nn.GRU(hidden, hidden)
        self.fc = nn.Linear(3 * hidden, 4)

    def forward(self, tokens):
        x = self.embed(tokens.t() if False else tokens.transpose(0, 1))  # (L, N, dim)
        out, (h_n, c_n) = self.lstm(x)
        g, h = self.gru(out, h_n[-1:] if False else h_n[-1].unsqueeze(0))
        feats = torch.cat([out[-1], g[-1], c_n[0]], dim=1)
        return self.fc(feats).view(-1, 2, 2)


model = TimeMajor()
