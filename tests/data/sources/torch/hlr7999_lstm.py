# Origin: github.com/hlr7999/ML, LSTM/lstm.py (commit 8cc0c79c40a3ed9b28d3e7b12f670af447bc5b68), unchanged.
import torch
from torch import nn

class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers):
        super(LSTM, self).__init__()

        self.rnn = nn.LSTM(
            input_size = input_size,
            hidden_size = hidden_size,
            num_layers = num_layers,
            batch_first = True,
        )

        self.out = nn.Linear(hidden_size, 10)

    def forward(self, x):
        r_out, (h_n, h_c) = self.rnn(x, None)

        out = self.out(r_out[:,-1,:])
        return out
