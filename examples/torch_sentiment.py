"""A PyTorch sentiment classifier, written as nn.Module code usually is.

`lstmcalc summary examples/torch_sentiment.py --input-shape 200` reads it
with `ast` (torch is not needed): the same model as specs/pytorch_sentiment.yaml.
"""

import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embedding_dim=128, hidden_size=128, num_layers=1):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, tokens):
        h0 = torch.zeros(self.num_layers, tokens.size(0), self.hidden_size).to(device)
        c0 = torch.zeros(self.num_layers, tokens.size(0), self.hidden_size).to(device)
        x = self.embedding(tokens)                 # (N, 200) -> (N, 200, 128)
        out, (h_n, c_n) = self.lstm(x, (h0, c0))   # (N, 200, 128)
        y = self.fc(self.dropout(out[:, -1, :]))   # the last step -> (N, 1)
        return torch.sigmoid(y)


model = SentimentLSTM(vocab_size=20000).to(device)
