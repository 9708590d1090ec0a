# Origin: https://techfeed.net/pt/443267/
# (a Stack Overflow question, "Add Dense layer before LSTM layer in keras or Tensorflow?", as mirrored
#  there; the question's code, unchanged below this comment; Keras refuses it: LSTM needs a 3-D input)
batch_size = 1
model = Sequential()
model.add(Dense(5, input_shape=(1,)))
model.add(Dense(10))
model.add(LSTM(32))
model.add(Dropout(0.3))
model.add(Dense(5))
model.add(Dense(1))
model.compile(loss='mean_squared_error', optimizer='adam')
model.fit(trainX, trainY, nb_epoch=100, batch_size=batch_size, verbose=2)
