# Origin: github.com/parameswarankandhavel/attention-time-series, src/attention_lstm.py (commit 9cf3931b4c3a333820bca4b9df1fa273d5aac13a), unchanged.
import torch
import torch.nn as nn

class AttentionLSTM(nn.Module):
    def __init__(self, input_size, hidden_size=64):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, batch_first=True)
        self.attention = nn.Linear(hidden_size, 1)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x):
        lstm_out, _ = self.lstm(x)

        weights = torch.softmax(self.attention(lstm_out), dim=1)
        context = torch.sum(weights * lstm_out, dim=1)

        output = self.fc(context)
        return output, weights
