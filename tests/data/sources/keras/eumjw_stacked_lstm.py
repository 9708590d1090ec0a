# Origin: https://github.com/EUMJW/Daily_edu/blob/9fcd1be685e0e7f168b36b227cdb91b5db2a5075/Ai/2020_08_13_LSTM02.py
# (unchanged below this comment)
from keras.models import Sequential
from keras.layers import Dense, LSTM, Activation


model = Sequential()
model.add(LSTM(10, input_shape=(3,1), return_sequences = True))
model.add(LSTM(5))
model.add(Dense(1))

model.summary()
