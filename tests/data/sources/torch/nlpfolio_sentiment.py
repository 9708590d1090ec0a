# Origin: github.com/karol-pyszka/NLPfolio, SentimentAnalysis/SentimentClassifier.py (commit 342c2e056e383616b7e25ec289c31ab4ecf79264), unchanged.
import torch.nn as nn


class SentimentClassifier(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.rnn = nn.LSTM(input_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        _, (hidden, _) = self.rnn(x.unsqueeze(1))
        hidden = hidden[-1]
        out = self.fc(hidden)
        return out

