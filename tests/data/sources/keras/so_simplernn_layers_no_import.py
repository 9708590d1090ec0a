# Origin: https://python-pypi.developreference.com/article/18792441/Understanding+Keras+LSTMs+Role+of+Batch+size+and+Statefulness
# (a Stack Overflow question as mirrored there; the question's code, unchanged below this comment;
#  it has no import line)
model = Sequential()
model.add(layers.SimpleRNN(units=10, input_shape=(3,1),use_bias=True,bias_initializer='zeros',activation="relu",kernel_initializer="random_uniform"))
model.add(layers.Dense(1, activation="sigmoid"))
model.compile(loss='binary_crossentropy', optimizer='sgd')
model.summary()
model.fit(trainX,train_op, epochs=100, batch_size=50, verbose=2)
trainPredict = model.predict(trainX)
testPredict = model.predict(testX)
