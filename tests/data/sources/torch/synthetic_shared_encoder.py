# Written for lstmcalc's tests (not public code): a module called twice, x.view(x.size(0), -1), squeeze, permute.
import torch
from torch import nn


class Siamese(nn.Module):
    def __init__(self, n_features=6, hidden=16, steps=10):
        super().__init__()
        self.encoder = nn.LSTM(n_features, hidden, batch_first=True)
        self.norm = nn.LayerNorm(hidden)
        self.flat_fc = nn.Linear(steps * hidden, 8)
        self.out = nn.Linear(8 + hidden, 1)

    def forward(self, x):
        a, _ = self.encoder(x)
        b, (h_n, c_n) = self.encoder(x.flip(1) if False else x)
        a = self.norm(a + b)
        flat = self.flat_fc(a.reshape(a.size(0), -1))
        state = h_n.squeeze(0)
        y = self.out(torch.cat([flat, state], 1))
        return torch.sigmoid(y).permute(1, 0)


class Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return self.fc(x)


net = Siamese(steps=10)
