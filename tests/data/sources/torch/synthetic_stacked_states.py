# Written for lstmcalc's tests (not public code): the forward() constructs the reader follows, in one model.
import torch
import torch.nn as nn
import torch.nn.functional as F

HIDDEN = 8
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class StateClassifier(nn.Module):
    def __init__(self, n_features, hidden=HIDDEN, num_layers=2, n_classes=5, bidirectional=True):
        super().__init__()
        self.num_layers = num_layers
        self.hidden = hidden
        self.directions = 2 if bidirectional else 1
        self.proj = nn.Linear(n_features, hidden)
        self.gru = nn.GRU(hidden, hidden, num_layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Sequential(
            nn.Linear(hidden * self.directions * 2, hidden),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(hidden, n_classes),
        )
        for p in self.parameters():
            nn.init.normal_(p, std=0.02)

    def forward(self, x):
        batch_size = x.size(0)
        h0 = torch.zeros(self.num_layers * self.directions, batch_size, self.hidden).to(device)
        x = torch.tanh(self.proj(x))
        out, h_n = self.gru(x, h0)
        print(out.shape)
        h_n = h_n.view(self.num_layers, self.directions, batch_size, self.hidden)
        last = h_n[-1]
        both = torch.cat((last[0], last[1]), dim=1)
        pooled = out.mean(dim=1)
        pooled = F.dropout(pooled, p=0.2, training=self.training)
        if self.directions == 2:
            features = torch.cat([both, pooled], dim=-1)
        else:
            features = both
        return F.log_softmax(self.head(features), dim=-1)


model = StateClassifier(n_features=12).to(device)
