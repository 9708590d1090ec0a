# Written for lstmcalc's tests (not public code): the classic bug, out[:, -1, :] on an LSTM run without
# batch_first. Torch indexes the batch axis; lstmcalc follows it and says so in a note.
from torch import nn


class Forgot(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(10, 32)
        self.fc = nn.Linear(32, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])


model = Forgot()
