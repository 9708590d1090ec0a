# Origin: https://github.com/AlexanderBurkhart/lstm_stock_pred/blob/07c0323072b89722ccd518e910ea2de5ce1a26cf/model.py
# (unchanged below this comment; the model is built in a function the file never calls)
from keras.models import Sequential
from keras.layers import LSTM, Dropout, Dense
from keras import optimizers

def lstm_model(batch_input_shape):
    m = Sequential()
    m.add(LSTM(100, batch_input_shape=batch_input_shape,
                dropout=0.0, recurrent_dropout=0.0, stateful=-True, return_sequences=True,
                kernel_initializer='random_uniform'))
    m.add(Dropout(0.4))
    m.add(LSTM(60, dropout=0.0))
    m.add(Dropout(0.4))
    m.add(Dense(20,activation='relu'))
    m.add(Dense(1,activation='sigmoid'))
    optimizer = optimizers.RMSprop(lr=0.001)
    m.compile(loss='mean_squared_error', optimizer=optimizer)
    return m
