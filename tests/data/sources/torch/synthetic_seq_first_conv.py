# Written for lstmcalc's tests (not public code): seq-first data (L, N, C) through a Conv1d front end
# (`x.permute(1, 2, 0)` to (N, C, L)) into a GRU without batch_first: the input's batch axis is the second.
import torch
from torch import nn


class SeqFirstConv(nn.Module):
    def __init__(self, channels=3, hidden=5, classes=4):
        super().__init__()
        self.conv = nn.Conv1d(channels, 6, kernel_size=3, padding=1)
        self.gru = nn.GRU(6, hidden, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        x = torch.relu(self.conv(x.permute(1, 2, 0))).permute(2, 0, 1)
        out, h_n = self.gru(x)
        return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=1))


model = SeqFirstConv()
